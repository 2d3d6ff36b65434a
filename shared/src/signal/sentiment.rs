//! Sentiment (placeholder while the lexicon-based scorer lands).
