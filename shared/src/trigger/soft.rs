//! Soft signals (placeholder while the scorer lands).
