//! The widget's words: built-in English and Spanish, overridden per locale by the site
//! config's `widget.strings`; the browser's language picks the locale when the site has it.

/// Every string the widget shows, one `key=text` a line; `{name}` placeholders are filled by
/// [`Strings::fill`]. (One string, not a table of pairs: 16 bytes a key less in the wasm.)
const EN: &str = "\
title=Chat
close=Close chat
conversation=Conversation
input=Your message
placeholder=Type your message…
send=Send
you=You
ai=AI assistant
agent=Agent
ai_badge=AI assistant
typing=The assistant is typing…
connecting=Connecting you with a person…
waiting=Waiting for a person
waiting_queue=Waiting for our {queue}
with_agent={agent} · human agent
async=We'll follow up by email
resolved=Resolved
position=You're number {position} in line. Estimated wait: {wait}.
position_only=You're number {position} in line.
minutes=about {n} min
under_minute=under a minute
ticket=Ticket {ticket}: we'll reply {expected}. You can close this window.
ticket_only=Ticket {ticket}: we'll reply by email. You can close this window.
agent_joined={agent} joined the conversation
offline=Connection lost. Reconnecting…
unreachable=We couldn't reach the chat. Retrying…
unavailable=Chat is not available on this page right now. Please contact us another way.
csat_question=How did we do?
csat_score={n} out of 5
csat_comment=Anything to add? (optional)
csat_send=Send rating
csat_thanks=Thank you for your feedback.
csat_failed=Your rating could not be sent. Please try again.
sending=Sending…";

/// Built-in Spanish; keys it lacks fall back to English.
const ES: &str = "\
title=Chat
close=Cerrar el chat
conversation=Conversación
input=Tu mensaje
placeholder=Escribe tu mensaje…
send=Enviar
you=Tú
ai=Asistente IA
agent=Agente
ai_badge=Asistente IA
typing=El asistente está escribiendo…
connecting=Te estamos conectando con una persona…
waiting=Esperando a una persona
waiting_queue=Esperando a nuestro equipo: {queue}
with_agent={agent} · agente humano
async=Te responderemos por correo
resolved=Resuelto
position=Eres el número {position} en la cola. Espera estimada: {wait}.
position_only=Eres el número {position} en la cola.
minutes=unos {n} min
under_minute=menos de un minuto
ticket=Ticket {ticket}: te responderemos {expected}. Puedes cerrar esta ventana.
ticket_only=Ticket {ticket}: te responderemos por correo. Puedes cerrar esta ventana.
agent_joined={agent} se ha unido a la conversación
offline=Conexión perdida. Reconectando…
unreachable=No pudimos conectar con el chat. Reintentando…
csat_question=¿Qué tal lo hicimos?
csat_score={n} de 5
csat_comment=¿Algo más? (opcional)
csat_send=Enviar valoración
csat_thanks=Gracias por tu opinión.
sending=Enviando…";

/// Scripts written right to left, by language subtag.
const RTL: &[&str] = &["ar", "he", "fa", "ur", "ps", "yi", "dv", "ku", "sd", "ug"];

/// One locale's words as the site config gives them: `(key, text)`, in config order.
/// (A list, not a map: a handful of keys, and `BTreeMap` costs the wasm about 15 KB.)
pub type Words = Vec<(String, String)>;

/// The config's `widget.strings`: `(locale, words)`, in config order.
pub type SiteStrings = [(String, Words)];

/// The strings of one locale: site overrides first, then built-ins, then English.
#[derive(Default)]
pub struct Strings {
    locale: String,
    /// Site overrides; a later entry wins over an earlier one with the same key.
    site: Words,
}

/// The language part of a locale tag: `pt-BR` → `pt`.
fn language(tag: &str) -> &str {
    tag.split(['-', '_']).next().unwrap_or(tag)
}

impl Strings {
    /// Choose the locale: the browser's languages first if the site or the built-ins speak them,
    /// else the site's locale; `site_strings` is the config's `widget.strings`.
    pub fn choose(browser: &[String], site_locale: &str, site_strings: &SiteStrings) -> Self {
        let words = |tag: &str| site_strings.iter().find(|(l, _)| l == tag).map(|(_, w)| w);
        let spoken = |tag: &str| {
            words(tag).is_some()
                || words(language(tag)).is_some()
                || matches!(language(tag), "en" | "es")
                || language(tag) == language(site_locale)
        };
        let locale = browser
            .iter()
            .find(|t| spoken(t))
            .cloned()
            .unwrap_or_else(|| site_locale.to_owned());
        let mut site = Words::new();
        // Language-wide overrides, then the exact tag's (later entries win).
        for tag in [language(&locale), locale.as_str()] {
            if let Some(m) = words(tag) {
                site.extend(m.iter().cloned());
            }
        }
        Self { locale, site }
    }

    /// The chosen locale tag (`es-MX`).
    pub fn locale(&self) -> &str {
        &self.locale
    }

    /// The language (`es`), what trigger lexicons are keyed by.
    pub fn language(&self) -> &str {
        language(&self.locale)
    }

    /// Is the locale's script written right to left?
    pub fn rtl(&self) -> bool {
        RTL.contains(&self.language())
    }

    /// One string by key.
    pub fn get(&self, key: &str) -> &str {
        if let Some((_, s)) = self.site.iter().rev().find(|(k, _)| k == key) {
            return s;
        }
        let builtin = if self.language() == "es" { ES } else { EN };
        let find = |table: &'static str| {
            table
                .lines()
                .find_map(|line| line.strip_prefix(key)?.strip_prefix('='))
        };
        find(builtin).or_else(|| find(EN)).unwrap_or("")
    }

    /// A string with its `{name}` placeholders filled, in one pass: a value is never scanned
    /// for placeholders itself, and an unknown `{name}` stays as written.
    pub fn fill(&self, key: &str, values: &[(&str, &str)]) -> String {
        let mut rest = self.get(key);
        let mut out = String::with_capacity(rest.len());
        while let Some((text, tail)) = rest.find('{').and_then(|open| rest.split_at_checked(open)) {
            out.push_str(text);
            let value = tail.find('}').and_then(|close| {
                let name = tail.get(1..close)?;
                let (_, value) = values.iter().find(|(n, _)| *n == name)?;
                Some((value, close + 1))
            });
            match value {
                Some((value, len)) => {
                    out.push_str(value);
                    rest = tail.get(len..).unwrap_or("");
                }
                None => {
                    out.push('{');
                    rest = tail.get(1..).unwrap_or("");
                }
            }
        }
        out.push_str(rest);
        out
    }

    /// A wait in words: "under a minute", "about 4 min".
    pub fn wait(&self, seconds: u32) -> String {
        if seconds < 60 {
            self.get("under_minute").to_owned()
        } else {
            let n = decimal(seconds.div_ceil(60));
            self.fill("minutes", &[("n", &n)])
        }
    }
}

/// `n` in decimal digits, without `core::fmt` (which would cost the wasm several KB).
pub fn decimal(mut n: u32) -> String {
    let mut digits = [0u8; 10];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    digits[at..].iter().map(|&d| char::from(d)).collect()
}
