//! Reading a token endpoint's body as JSON or as a form, whatever its `Content-Type` claims.

use serde_json::{Map, Value};

use crate::transport::InboundResponse;

/// The body's fields, if it is a JSON object or a form; `None` if it is neither.
///
/// A body that starts with `{` is read as JSON only. Anything else is read as a form when the
/// `Content-Type` says so, or when it has an `=` and nothing a form cannot contain (whitespace,
/// `<`, `{`), so that an HTML page is never mistaken for one.
pub(crate) fn fields(response: &InboundResponse) -> Option<Map<String, Value>> {
    let body = trim_start(&response.body);
    if body.starts_with(b"{") {
        return match serde_json::from_slice(body) {
            Ok(Value::Object(map)) => Some(map),
            _ => None,
        };
    }

    let declared_form =
        media_type(response).as_deref() == Some("application/x-www-form-urlencoded");
    if declared_form || looks_like_form(body) {
        return Some(form_fields(body));
    }
    None
}

/// The declared media type, lower case, without parameters.
pub(crate) fn media_type(response: &InboundResponse) -> Option<String> {
    let value = response.header("content-type")?;
    let essence = value.split(';').next().unwrap_or_default().trim();
    (!essence.is_empty()).then(|| essence.to_ascii_lowercase())
}

fn trim_start(body: &[u8]) -> &[u8] {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let start = body
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(body.len());
    &body[start..]
}

fn looks_like_form(body: &[u8]) -> bool {
    let body = body.trim_ascii_end();
    body.contains(&b'=')
        && !body
            .iter()
            .any(|b| b.is_ascii_whitespace() || *b == b'<' || *b == b'{')
}

/// Form pairs as string values; the first of repeated keys wins.
fn form_fields(body: &[u8]) -> Map<String, Value> {
    let mut map = Map::new();
    for (key, value) in url::form_urlencoded::parse(body.trim_ascii_end()) {
        if !map.contains_key(key.as_ref()) {
            map.insert(key.into_owned(), Value::String(value.into_owned()));
        }
    }
    map
}
