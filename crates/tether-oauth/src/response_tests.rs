//! Table-driven tests of SPEC §6.3: every way a token endpoint can answer.

use std::time::Duration;

use serde_json::json;

use super::*;

const RECEIVED: EpochMillis = EpochMillis(1_700_000_000_000);

fn response(status: u16, content_type: Option<&str>, body: &str) -> InboundResponse {
    InboundResponse {
        status,
        headers: content_type
            .map(|value| vec![("content-type".to_owned(), value.to_owned())])
            .unwrap_or_default(),
        body: body.as_bytes().to_vec(),
    }
}

fn json_response(body: &str) -> InboundResponse {
    response(200, Some("application/json"), body)
}

fn parse(response: &InboundResponse) -> Result<Token, ExchangeError> {
    let config = CcfConfig {
        scope: Some("requested".to_owned()),
        ..CcfConfig::default()
    };
    parse_response(&config, response, RECEIVED)
}

#[test]
fn expires_in_is_read_leniently_and_capped_without_overflow() {
    let cases = [
        (r#""expires_in": 3599"#, 3599),
        (r#""expires_in": "3599""#, 3599),
        (r#""expires_in": " 3599 ""#, 3599),
        ("", 600),
        (r#""expires_in": null"#, 600),
        (r#""expires_in": 0"#, 600),
        (r#""expires_in": "0""#, 600),
        (r#""expires_in": -5"#, 600),
        (r#""expires_in": "-5""#, 600),
        (r#""expires_in": "abc""#, 600),
        (r#""expires_in": "NaN""#, 600),
        (r#""expires_in": "inf""#, 600),
        (r#""expires_in": true"#, 600),
        (r#""expires_in": {"s": 1}"#, 600),
        (r#""expires_in": 0.5"#, 600),
        (r#""expires_in": 1.9e3"#, 1900),
        (r#""expires_in": 3599.9"#, 3599),
        (r#""expires_in": "3599.9""#, 3599),
        (r#""expires_in": 1e300"#, 86_400),
        (r#""expires_in": "1e300""#, 86_400),
        (r#""expires_in": 18446744073709551615"#, 86_400),
        (r#""expires_in": 99999999999999999999999999"#, 86_400),
        (r#""expires_in": -99999999999999999999999999"#, 600),
        (r#""expires_in": 3600000, "expires_in_sec": 3600"#, 86_400),
    ];
    for (field, lifetime) in cases {
        let separator = if field.is_empty() { "" } else { ", " };
        let body = format!(r#"{{"access_token": "tok"{separator}{field}}}"#);

        let token = parse(&json_response(&body)).unwrap();

        assert_eq!(token.lifetime_seconds, lifetime, "{body}");
        assert_eq!(token.expires_at, RECEIVED.plus_seconds(lifetime), "{body}");
        assert_eq!(token.received_at, RECEIVED);
    }
}

#[test]
fn token_type_must_be_bearer_in_any_case_or_absent() {
    let cases = [
        (r#", "token_type": "bearer""#, Ok(())),
        (r#", "token_type": "Bearer""#, Ok(())),
        (r#", "token_type": "BEARER""#, Ok(())),
        ("", Ok(())),
        (r#", "token_type": null"#, Ok(())),
        (r#", "token_type": """#, Ok(())),
        (r#", "token_type": "mac""#, Err("mac")),
        (r#", "token_type": "DPoP""#, Err("DPoP")),
        (r#", "token_type": "bearer ""#, Err("bearer ")),
        (r#", "token_type": 5"#, Err("5")),
    ];
    for (field, expected) in cases {
        let body = format!(r#"{{"access_token": "tok"{field}}}"#);

        let outcome = parse(&json_response(&body));

        match (outcome, expected) {
            (Ok(token), Ok(())) => assert_eq!(token.token_type, "Bearer"),
            (Err(ExchangeError::UnsupportedTokenType { token_type }), Err(name)) => {
                assert_eq!(token_type, name)
            }
            (other, _) => panic!("{body}: unexpected {other:?}"),
        }
    }
}

#[test]
fn each_kind_of_answer_gives_its_outcome() {
    const JSON: Option<&str> = Some("application/json");
    const FORM: Option<&str> = Some("application/x-www-form-urlencoded");
    const HTML: Option<&str> = Some("text/html");
    const TOKEN: &str = r#"{"access_token":"t"}"#;
    const PAGE: &str = "<html><body>Bad Gateway</body></html>";
    let cases = [
        // Success, whatever the Content-Type claims.
        (200, JSON, TOKEN, "ok"),
        (200, Some("application/json; charset=utf-8"), TOKEN, "ok"),
        (200, Some("Application/JSON;Charset=UTF-8"), TOKEN, "ok"),
        (200, None, TOKEN, "ok"),
        (200, None, "\u{feff} \n{\"access_token\":\"t\"}", "ok"),
        (201, FORM, TOKEN, "ok"),
        (
            200,
            FORM,
            "access_token=t&token_type=bearer&expires_in=60",
            "ok",
        ),
        (200, Some("text/plain"), "access_token=t&scope=a", "ok"),
        (200, JSON, "access_token=t\n", "ok"),
        // OAuth errors, whatever the status.
        (200, JSON, r#"{"error":"invalid_client"}"#, "invalid_client"),
        (400, None, r#"{"error":"invalid_scope"}"#, "invalid_scope"),
        (401, FORM, "error=invalid_client", "invalid_client"),
        (200, None, r#"{"access_token":"t","error":"x"}"#, "x"),
        // Unusable successes.
        (200, None, r#"{"access_token":""}"#, "malformed_response"),
        (200, None, r#"{"access_token":"  "}"#, "malformed_response"),
        (200, None, r#"{"access_token":12}"#, "malformed_response"),
        (
            200,
            None,
            r#"{"access_token":"t\r\nX-Injected: 1"}"#,
            "malformed_response",
        ),
        (200, None, r#"{"access_token":"t t"}"#, "malformed_response"),
        (
            200,
            None,
            r#"{"access_token":"t\u0000"}"#,
            "malformed_response",
        ),
        (200, None, r#"{"access_token":"tök"}"#, "malformed_response"),
        (200, None, r#"{"token":"t"}"#, "malformed_response"),
        (200, None, r#"{"error":{"code":1}}"#, "malformed_response"),
        (200, JSON, "", "malformed_response"),
        (200, None, r#"[{"access_token":"t"}]"#, "malformed_response"),
        (200, None, r#"{"access_token":"t""#, "malformed_response"),
        (200, HTML, PAGE, "malformed_response"),
        // Other failures.
        (404, HTML, PAGE, "upstream_rejected"),
        (401, None, r#"{"message":"no"}"#, "upstream_rejected"),
        (501, None, "", "upstream_rejected"),
        (302, None, "", "upstream_redirect"),
        (301, HTML, PAGE, "upstream_redirect"),
        (502, HTML, PAGE, "upstream_unavailable"),
        (503, HTML, PAGE, "upstream_unavailable"),
        (
            429,
            None,
            r#"{"error":"slow_down"}"#,
            "upstream_unavailable",
        ),
        (
            500,
            None,
            r#"{"error":"server_error"}"#,
            "upstream_unavailable",
        ),
        (504, None, "", "upstream_unavailable"),
    ];
    for (status, content_type, body, expected) in cases {
        let outcome = parse(&response(status, content_type, body));

        let code = match &outcome {
            Ok(token) => {
                assert_eq!(token.access_token.expose(), "t", "{status} {body}");
                "ok"
            }
            Err(error) => error.code(),
        };
        assert_eq!(
            code, expected,
            "{status} {content_type:?} {body}: {outcome:?}"
        );
    }
}

#[test]
fn an_oauth_error_keeps_its_description_uri_and_status() {
    let body = r#"{"error": "invalid_client", "error_description": "Client authentication failed",
                   "error_uri": "https://auth.example/errors#client"}"#;

    let error = parse(&response(401, Some("application/json"), body)).unwrap_err();

    assert_eq!(
        error,
        ExchangeError::OAuth {
            error: "invalid_client".to_owned(),
            description: Some("Client authentication failed".to_owned()),
            uri: Some("https://auth.example/errors#client".to_owned()),
            status: 401,
        }
    );
    assert!(error.is_permanent());
}

#[test]
fn vendor_fields_are_kept_as_extra_and_refresh_and_id_tokens_dropped() {
    let body = json!({
        "access_token": "tok", "token_type": "Bearer", "expires_in": 3600, "scope": "a",
        "refresh_token": "r", "id_token": "i",
        "api_domain": "https://www.zohoapis.eu", "instance_url": "https://x.my.salesforce.com",
        "ext_expires_in": 3600, "signature": "sig",
    });

    let token = parse(&json_response(&body.to_string())).unwrap();

    assert_eq!(
        serde_json::Value::Object(token.extra),
        json!({
            "api_domain": "https://www.zohoapis.eu", "instance_url": "https://x.my.salesforce.com",
            "ext_expires_in": 3600, "signature": "sig",
        })
    );
}

#[test]
fn the_granted_scope_replaces_the_requested_one_and_is_space_separated() {
    let cases = [
        (r#", "scope": "a b""#, Some("a b")),
        (r#", "scope": "a,b, c""#, Some("a b c")),
        (r#", "scope": ["a", "b"]"#, Some("a b")),
        ("", Some("requested")),
        (r#", "scope": """#, Some("requested")),
        (r#", "scope": null"#, Some("requested")),
    ];
    for (field, expected) in cases {
        let body = format!(r#"{{"access_token": "tok"{field}}}"#);

        let token = parse(&json_response(&body)).unwrap();

        assert_eq!(token.scope.as_deref(), expected, "{body}");
    }
}

#[test]
fn a_gateway_error_page_is_described_by_a_short_redacted_excerpt() {
    let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjbGllbnQifQ.c2lnbmF0dXJlMTIz";
    let page = format!(
        "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n<body>\
         <h1>Bad Gateway</h1><p>upstream said: Authorization: Bearer {jwt}</p>\
         <p>access_token={jwt}</p>{}</body></html>",
        "<p>padding</p>".repeat(100)
    );

    for status in [502, 503, 404] {
        let error = parse(&response(status, Some("text/html; charset=UTF-8"), &page)).unwrap_err();

        let text = match &error {
            ExchangeError::Unavailable { reason, .. } => reason.clone(),
            ExchangeError::Rejected {
                excerpt,
                content_type,
                ..
            } => {
                assert!(excerpt.len() <= 256, "{excerpt}");
                assert_eq!(content_type.as_deref(), Some("text/html; charset=UTF-8"));
                excerpt.clone()
            }
            other => panic!("unexpected {other:?}"),
        };
        assert!(text.contains("<title>502 Bad Gateway</title>"), "{text}");
        assert!(text.contains("[redacted]"), "{text}");
        assert!(!text.contains("eyJ"), "{text}");
        assert!(!text.contains("c2lnbmF0dXJl"), "{text}");
        assert!(text.len() <= 256 + "status 503: ".len(), "{text}");
    }
}

#[test]
fn a_transient_status_carries_its_retry_after_in_seconds_or_as_a_date() {
    let received = UNIX_EPOCH + Duration::from_millis(RECEIVED.0 as u64);
    let date = httpdate::fmt_http_date(received + Duration::from_secs(4));
    let cases = [
        ("7", Some(Duration::from_secs(7))),
        (date.as_str(), Some(Duration::from_secs(4))),
        ("later", None),
    ];
    for (value, expected) in cases {
        let mut response = response(429, None, "");
        response
            .headers
            .push(("retry-after".to_owned(), value.to_owned()));

        let error = parse(&response).unwrap_err();

        let ExchangeError::Unavailable {
            status,
            retry_after,
            ..
        } = error
        else {
            panic!("{value}: unexpected {error:?}");
        };
        assert_eq!(status, Some(429));
        assert_eq!(retry_after, expected, "{value}");
    }
}

#[test]
fn a_redirect_names_its_location_without_credentials() {
    let mut response = response(302, None, "");
    response.headers.push((
        "location".to_owned(),
        "https://login.example/next?client_secret=hunter2&x=1".to_owned(),
    ));

    let error = parse(&response).unwrap_err();

    assert_eq!(
        error,
        ExchangeError::Redirect {
            status: 302,
            location: Some("https://login.example/next?client_secret=[redacted]&x=1".to_owned()),
        }
    );
}
