//! Removing anything secret-looking from upstream text before it goes into an error.
//!
//! Three passes, in order: exact occurrences of the credentials that were sent (in the forms a
//! server might echo them), values of secret-sounding keys (`access_token=…`, `"password": "…"`,
//! `Bearer …`), and long runs of token-like characters with both letters and digits (JWTs, hex
//! and base64 blobs).

use base64::Engine as _;

/// What replaces a removed value.
pub const REDACTED: &str = "[redacted]";

/// The longest excerpt of a failure body kept in an error (SPEC §6.3).
pub const EXCERPT_BYTES: usize = 256;

/// How much of a body is scanned to produce an excerpt.
const SCAN_BYTES: usize = 64 * 1024;

/// Token-like runs at least this long, mixing letters and digits, are removed.
const MIN_TOKEN_RUN: usize = 20;

/// Keys whose values are removed. Matching is by substring, so `token` covers `access_token`.
const SECRET_KEYS: [&str; 8] = [
    "token",
    "secret",
    "password",
    "passwd",
    "api_key",
    "apikey",
    "assertion",
    "signature",
];

/// The exact strings that must never appear: the credentials of one exchange, as sent.
#[derive(Clone, Default)]
pub(crate) struct Needles(Vec<String>);

impl Needles {
    /// The secret in the forms a server could echo it (raw, form- and percent-encoded,
    /// JSON-escaped), the `id:secret` pair and its Base64 form.
    pub(crate) fn for_credentials(client_id: &str, client_secret: &str) -> Self {
        if client_secret.is_empty() {
            return Self::default();
        }

        let form = crate::request::form_encode(client_secret);
        let percent = form.replace('+', "%20");
        let json = serde_json::to_string(client_secret).unwrap_or_default();
        let json = json.trim_matches('"').to_owned();
        let raw_pair = format!("{client_id}:{client_secret}");
        let form_pair = format!("{}:{form}", crate::request::form_encode(client_id));
        let base64 = |text: &str| base64::engine::general_purpose::STANDARD.encode(text);

        let mut needles = vec![
            base64(&raw_pair),
            base64(&form_pair),
            client_secret.to_owned(),
            form,
            percent,
            json,
        ];
        needles.sort_by_key(|needle| std::cmp::Reverse(needle.len()));
        needles.dedup();
        Self(needles)
    }
}

/// Credentials shorter than this are not cut out of a text but withhold all of it: marking every
/// place a one-letter secret occurs would spell the secret out.
const SHORT_NEEDLE: usize = 8;

/// Removes credentials and secret-looking values from `text`.
pub(crate) fn scrub(text: &str, needles: &Needles) -> String {
    let mut text = text.to_owned();
    for needle in &needles.0 {
        if needle.is_empty() || !text.contains(needle.as_str()) {
            continue;
        }
        if needle.len() < SHORT_NEEDLE {
            return REDACTED.to_owned();
        }
        text = text.replace(needle.as_str(), REDACTED);
    }

    let text = redact_key_values(&text);
    redact_token_runs(&text)
}

/// Scrubs `text` and cuts it to at most `max_bytes`, on a character boundary.
pub(crate) fn scrub_short(text: &str, needles: &Needles, max_bytes: usize) -> String {
    truncate(scrub(text, needles), max_bytes)
}

/// A printable, scrubbed excerpt of a body: whitespace collapsed, at most 256 bytes.
pub(crate) fn excerpt(body: &[u8], needles: &Needles) -> String {
    let scanned = &body[..body.len().min(SCAN_BYTES)];
    let text = String::from_utf8_lossy(scanned);
    let text = scrub(&text, needles);

    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|word| !word.is_empty())
        .collect();
    truncate(words.join(" "), EXCERPT_BYTES)
}

fn truncate(mut text: String, max_bytes: usize) -> String {
    if text.len() > max_bytes {
        let mut end = max_bytes;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}

/// Replaces the value after `key:`, `key=`, `"key": "…"` and `Bearer ` for secret-sounding keys.
fn redact_key_values(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut at = 0;

    while at < text.len() {
        let Some((value_start, value_end)) = secret_value_at(&lower, at) else {
            at += lower[at..].chars().next().map_or(1, char::len_utf8);
            continue;
        };

        out.push_str(&text[copied..value_start]);
        out.push_str(REDACTED);
        copied = value_end;
        at = value_end.max(at + 1);
    }

    out.push_str(&text[copied..]);
    out
}

/// If a secret key starts at `at`, the byte range of its value.
fn secret_value_at(lower: &str, at: usize) -> Option<(usize, usize)> {
    let rest = &lower[at..];
    if rest.starts_with("bearer ") {
        let start = at + "bearer".len() + leading(&rest[6..], |c| c == ' ');
        return value_range(lower, start);
    }

    let key = SECRET_KEYS.iter().find(|key| rest.starts_with(*key))?;
    let mut i = at + key.len();
    let suffix = leading(&lower[i..], |c| {
        c.is_ascii_alphanumeric() || c == '_' || c == '-'
    });
    if lower[i..i + suffix].ends_with("type") {
        return None;
    }

    i += suffix;
    i += leading(&lower[i..], |c| c == '"' || c == '\'');
    i += leading(&lower[i..], |c| c == ' ');
    if !lower[i..].starts_with([':', '=']) {
        return None;
    }

    i += 1;
    i += leading(&lower[i..], |c| c == ' ');
    value_range(lower, i)
}

/// The value starting at `start`: up to the closing quote if quoted, else to a delimiter.
fn value_range(lower: &str, start: usize) -> Option<(usize, usize)> {
    let rest = &lower[start..];
    let end = match rest.chars().next()? {
        quote @ ('"' | '\'') => {
            let inner = &rest[1..];
            let close = inner.find(quote).unwrap_or(inner.len());
            return (close > 0).then_some((start + 1, start + 1 + close));
        }
        _ => rest
            .find(|c: char| c.is_whitespace() || "\"'&,;<>{}[]()".contains(c))
            .unwrap_or(rest.len()),
    };
    (end > 0).then_some((start, start + end))
}

/// Bytes at the start of `text` whose characters satisfy `pred`.
fn leading(text: &str, pred: impl Fn(char) -> bool) -> usize {
    text.find(|c: char| !pred(c)).unwrap_or(text.len())
}

/// Replaces long runs of token characters that contain both a letter and a digit.
fn redact_token_runs(text: &str) -> String {
    let is_token_char = |c: char| c.is_ascii_alphanumeric() || "-_.+/=~%".contains(c);
    let mut out = String::with_capacity(text.len());
    let mut rest = text;

    while let Some(start) = rest.find(is_token_char) {
        out.push_str(&rest[..start]);
        let run_len = leading(&rest[start..], is_token_char);
        let run = &rest[start..start + run_len];

        let looks_secret = run.len() >= MIN_TOKEN_RUN
            && run.chars().any(|c| c.is_ascii_digit())
            && run.chars().any(|c| c.is_ascii_alphabetic());
        out.push_str(if looks_secret { REDACTED } else { run });
        rest = &rest[start + run_len..];
    }

    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_looking_text_is_removed_and_plain_text_kept() {
        let needles = Needles::for_credentials("client", "s3cr3t pass");
        let cases = [
            ("plain words stay", "plain words stay"),
            ("echo s3cr3t pass here", "echo [redacted] here"),
            ("echo s3cr3t+pass here", "echo [redacted] here"),
            ("echo s3cr3t%20pass here", "echo [redacted] here"),
            (
                r#"{"access_token": "abc", "x": 1}"#,
                r#"{"access_token": "[redacted]", "x": 1}"#,
            ),
            ("client_secret=hunter2&a=b", "client_secret=[redacted]&a=b"),
            ("Password: hunter2 end", "Password: [redacted] end"),
            (
                "Authorization: Bearer abc.def",
                "Authorization: Bearer [redacted]",
            ),
            (
                "id eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln end",
                "id [redacted] end",
            ),
            ("hex 0123456789abcdef0123456789abcdef!", "hex [redacted]!"),
            (
                "Invalid client secret provided.",
                "Invalid client secret provided.",
            ),
            (
                "Content-Security-Policy-Report-Only",
                "Content-Security-Policy-Report-Only",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(scrub(input, &needles), expected, "{input}");
        }
    }

    #[test]
    fn a_short_secret_withholds_the_whole_text_instead_of_marking_where_it_occurs() {
        let needles = Needles::for_credentials("id", "e");

        let scrubbed = scrub("access_token holds a space", &needles);

        assert_eq!(scrubbed, REDACTED);
        assert_eq!(
            scrub("nothing but a, b, c", &needles),
            "nothing but a, b, c"
        );
    }

    #[test]
    fn the_basic_credentials_are_removed_in_base64_form() {
        let needles = Needles::for_credentials("id", "pw");

        let text = format!(
            "got Basic {}",
            base64::engine::general_purpose::STANDARD.encode("id:pw")
        );

        assert_eq!(scrub(&text, &needles), "got Basic [redacted]");
    }

    #[test]
    fn an_excerpt_is_short_single_spaced_and_cut_on_a_character_boundary() {
        let body = format!("<html>\n\t<body>{}</body>", "é".repeat(300));

        let excerpt = excerpt(body.as_bytes(), &Needles::default());

        assert!(excerpt.len() <= EXCERPT_BYTES);
        assert!(excerpt.starts_with("<html> <body>éé"));
    }
}
