//! Reading the individual fields of a token response (SPEC §6.3): `token_type`, `expires_in`
//! and `scope`.

use serde_json::Value;

/// Whether `token_type` means Bearer (absent, null, empty or any case of `bearer`); otherwise
/// the type as text, for the error.
pub(crate) fn token_type(value: Option<&Value>) -> Result<(), String> {
    match value {
        None | Some(Value::Null) => Ok(()),
        Some(Value::String(text)) if text.is_empty() || text.eq_ignore_ascii_case("bearer") => {
            Ok(())
        }
        Some(Value::String(text)) => Err(text.clone()),
        Some(other) => Err(other.to_string()),
    }
}

/// `expires_in` as whole seconds, if it is a positive number or numeric string; fractions are
/// rounded down and values beyond `u64` saturate. `None` means "use the default".
pub(crate) fn expires_in(value: Option<&Value>) -> Option<u64> {
    let seconds = match value? {
        Value::Number(number) => match number.as_u64() {
            Some(whole) => return positive(whole),
            None => number.as_f64()?,
        },
        Value::String(text) => {
            let text = text.trim();
            if let Ok(whole) = text.parse::<u64>() {
                return positive(whole);
            }
            text.parse::<f64>().ok()?
        }
        _ => return None,
    };
    from_float(seconds)
}

fn positive(seconds: u64) -> Option<u64> {
    (seconds > 0).then_some(seconds)
}

fn from_float(seconds: f64) -> Option<u64> {
    if !seconds.is_finite() || seconds < 1.0 {
        return None;
    }

    // A float-to-int `as` cast saturates, so 1e300 becomes u64::MAX (capped later).
    Some(seconds.floor() as u64)
}

/// The granted scope, space-separated: a string (commas accepted as separators) or an array
/// of strings. `None` when absent or empty.
pub(crate) fn scope(value: Option<&Value>) -> Option<String> {
    let parts: Vec<&str> = match value? {
        Value::String(text) => text
            .split(|c: char| c == ',' || c.is_whitespace())
            .collect(),
        Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
        _ => return None,
    };

    let parts: Vec<&str> = parts.into_iter().filter(|part| !part.is_empty()).collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}
