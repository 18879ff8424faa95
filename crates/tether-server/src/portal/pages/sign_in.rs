//! Signing in with an API key, and out. The sign-in form is protected by a pre-session token
//! (a cookie and a hidden field that must match); the key itself never comes back in a page.

use axum::extract::{Request, State};
use axum::http::header::SET_COOKIE;
use axum::http::StatusCode;
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use maud::html;

use crate::http::AppState;
use crate::portal::form::{read_form, Submitted};
use crate::portal::layout::{self, NoticeKind};
use crate::portal::session::{self, SIGN_IN_COOKIE};
use crate::portal::PortalError;

/// `GET /portal/sign-in`.
pub(crate) async fn form(State(state): State<AppState>, request: Request) -> Response {
    let token = session::cookie(request.headers(), SIGN_IN_COOKIE)
        .filter(|t| t.len() == 43)
        .unwrap_or_else(session::random_token);
    render(&state, &token, StatusCode::OK, None)
}

/// `POST /portal/sign-in`.
pub(crate) async fn submit(
    State(state): State<AppState>,
    request: Request,
) -> Result<Response, PortalError> {
    let expected = session::cookie(request.headers(), SIGN_IN_COOKIE).unwrap_or_default();
    let fields = read_form(request, &state).await?;
    if !session::same(fields.text("csrf"), &expected) {
        return Err(PortalError::Csrf);
    }

    let key = fields.get("key").map(str::trim).unwrap_or("");
    if session::authenticate(&state, key).await?.is_none() {
        let message = "This key is not valid: it is unknown, revoked or expired.";
        return Ok(render(
            &state,
            &expected,
            StatusCode::UNAUTHORIZED,
            Some(message),
        ));
    }

    let cookies = AppendHeaders([
        (SET_COOKIE, session::session_cookie(&state, key)),
        (SET_COOKIE, session::clear_sign_in_cookie()),
    ]);
    Ok((cookies, Redirect::to("/portal/integrations")).into_response())
}

/// `POST /portal/sign-out`.
pub(crate) async fn sign_out(_: Submitted) -> Response {
    (
        [(SET_COOKIE, session::clear_session_cookie())],
        Redirect::to("/portal/sign-in"),
    )
        .into_response()
}

fn render(state: &AppState, token: &str, status: StatusCode, error: Option<&str>) -> Response {
    let body = html! {
        h1 { "Sign in to Tether" }
        @if let Some(error) = error {
            (layout::notice(NoticeKind::Error, error))
        }
        form method="post" action="/portal/sign-in" {
            input type="hidden" name="csrf" value=(token);
            div.field {
                label for="key" { "API key" }
                input type="password" id="key" name="key" required autocomplete="off"
                    autofocus aria-describedby="key-help";
                (layout::help("key-help", None, Some(
                    "A key of a client of this hub (the admin profile holds the first one). \
                     It is kept only in an encrypted cookie for 8 hours.")))
            }
            button type="submit" { "Sign in" }
        }
    };
    (
        status,
        [(SET_COOKIE, session::sign_in_cookie(state, token))],
        layout::bare("Sign in", body),
    )
        .into_response()
}
