//! The page shell every portal page shares, and small pieces of markup pages reuse. Everything
//! goes through `maud`, which escapes every interpolated value.

use axum::response::Html;
use maud::{html, Markup, DOCTYPE};
use tether_domain::time::EpochMillis;

use super::session::Operator;

/// The top-level sections, for the navigation bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Section {
    Integrations,
    Connectors,
    Installs,
    Keys,
}

const SECTIONS: [(Section, &str, &str); 4] = [
    (
        Section::Integrations,
        "/portal/integrations",
        "Integrations",
    ),
    (Section::Connectors, "/portal/connectors", "Connectors"),
    (Section::Installs, "/portal/installs", "Installs"),
    (Section::Keys, "/portal/keys", "Keys"),
];

/// A page for a signed-in operator.
pub(crate) fn page(
    operator: &Operator,
    section: Section,
    title: &str,
    body: Markup,
) -> Html<String> {
    let nav = html! {
        nav aria-label="Main" {
            a.brand href="/portal/integrations" { "Tether" }
            ul {
                @for (each, href, label) in SECTIONS {
                    li {
                        @if each == section {
                            a href=(href) aria-current="page" { (label) }
                        } @else {
                            a href=(href) { (label) }
                        }
                    }
                }
            }
            form.sign-out method="post" action="/portal/sign-out" {
                (csrf(operator))
                button type="submit" { "Sign out" }
            }
        }
    };
    Html(document(title, Some(nav), body).into_string())
}

/// A page without navigation (sign-in, errors).
pub(crate) fn bare(title: &str, body: Markup) -> Html<String> {
    Html(document(title, None, body).into_string())
}

fn document(title: &str, nav: Option<Markup>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Tether" }
                link rel="stylesheet" href="/portal/assets/portal.css";
                script src="/portal/assets/portal.js" defer {}
            }
            body {
                a.skip href="#main" { "Skip to content" }
                @if let Some(nav) = nav {
                    header { (nav) }
                }
                main id="main" tabindex="-1" { (body) }
            }
        }
    }
}

/// The hidden CSRF field every form carries.
pub(crate) fn csrf(operator: &Operator) -> Markup {
    html! { input type="hidden" name="csrf" value=(operator.csrf()); }
}

/// A success or failure banner.
pub(crate) fn notice(kind: NoticeKind, text: &str) -> Markup {
    let (class, role) = match kind {
        NoticeKind::Success => ("notice success", "status"),
        NoticeKind::Error => ("notice error", "alert"),
    };
    html! { p class=(class) role=(role) { (text) } }
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum NoticeKind {
    Success,
    Error,
}

/// A labelled text input with its validation message, if any, next to it.
pub(crate) fn text_field(
    name: &str,
    label: &str,
    value: &str,
    error: Option<&str>,
    hint: Option<&str>,
) -> Markup {
    let described = format!("{name}-help");
    html! {
        div.field {
            label for=(name) { (label) }
            input type="text" id=(name) name=(name) value=(value)
                aria-invalid=[error.map(|_| "true")] aria-describedby=(described);
            (help(&described, error, hint))
        }
    }
}

/// The hint and the error under a field, referenced by its `aria-describedby`.
pub(crate) fn help(id: &str, error: Option<&str>, hint: Option<&str>) -> Markup {
    html! {
        div id=(id) {
            @if let Some(error) = error {
                p.field-error { (error) }
            }
            @if let Some(hint) = hint {
                p.hint { (hint) }
            }
        }
    }
}

/// A time for people, with the machine form in `datetime`.
pub(crate) fn time(at: Option<EpochMillis>) -> Markup {
    match at {
        Some(at) => {
            let text = at.to_rfc3339();
            let short = text.get(..19).unwrap_or(&text).replace('T', " ");
            html! { time datetime=(text) { (short) " UTC" } }
        }
        None => html! { "—" },
    }
}

/// A one-button form that posts to `action` (delete, revoke, re-exchange).
pub(crate) fn button_form(operator: &Operator, action: &str, label: &str, danger: bool) -> Markup {
    html! {
        form.inline method="post" action=(action) {
            (csrf(operator))
            button type="submit" class=[danger.then_some("danger")] { (label) }
        }
    }
}
