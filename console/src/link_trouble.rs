//! Why the console is not connected to the hub, in words an operator can act on: nothing
//! answers at the address, the hub is silent, the hub refused this console's token, TLS with the
//! hub failed (its certificate not trusted), or an open connection dropped.

use hub_client::Error;

use crate::strings::Lang;

/// Why the link to the hub is down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkTrouble {
    /// Nothing answers at the hub's address.
    NoHub { addr: String },
    /// The hub's address answered too slowly, or not at all.
    NoAnswer { addr: String },
    /// The hub refused this console's token: retrying cannot help.
    TokenRefused { status: u16 },
    /// The hub refused the connection for another reason (its sentence).
    Refused { status: u16, message: String },
    /// The console's settings cannot reach any hub (an address or token it cannot use).
    Unusable(String),
    /// TLS with the hub failed: its certificate did not verify, or it does not speak TLS.
    /// Tried again, since the hub's certificate may be replaced while the console waits.
    Tls(String),
    /// An open connection ended; the detail as the connection gave it.
    Dropped(String),
}

impl LinkTrouble {
    /// The trouble behind a failed connection attempt.
    pub fn of(error: &Error) -> LinkTrouble {
        match error {
            Error::Unreachable { addr, .. } => LinkTrouble::NoHub { addr: addr.clone() },
            Error::TimedOut(addr) => LinkTrouble::NoAnswer { addr: addr.clone() },
            Error::Refused { status, .. } if error.is_token_refused() => {
                LinkTrouble::TokenRefused { status: *status }
            }
            Error::Refused { status, message } => LinkTrouble::Refused {
                status: *status,
                message: message.clone(),
            },
            Error::BadAddress { .. }
            | Error::BadAddressInList { .. }
            | Error::BadToken
            | Error::BadCaFile { .. } => LinkTrouble::Unusable(error.to_string()),
            Error::Certificate { .. } | Error::Tls { .. } => LinkTrouble::Tls(error.to_string()),
            Error::BadAnswer(detail) => LinkTrouble::Dropped(detail.clone()),
        }
    }

    /// Whether trying again cannot help until a person changes something.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            LinkTrouble::TokenRefused { .. } | LinkTrouble::Unusable(_)
        )
    }

    /// The trouble as a sentence in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        match (self, lang) {
            (LinkTrouble::NoHub { addr }, Lang::Zh) => format!("{addr} 没有中心在运行"),
            (LinkTrouble::NoHub { addr }, Lang::En) => format!("no hub at {addr}"),
            (LinkTrouble::NoAnswer { addr }, Lang::Zh) => format!("{addr} 的中心没有应答"),
            (LinkTrouble::NoAnswer { addr }, Lang::En) => {
                format!("the hub at {addr} does not answer")
            }
            (LinkTrouble::TokenRefused { status }, Lang::Zh) => format!(
                "中心拒绝了此令牌（HTTP {status}）：请检查 --token / CONSOLE_TOKEN，然后重启控制台"
            ),
            (LinkTrouble::TokenRefused { status }, Lang::En) => format!(
                "the hub refused this token (HTTP {status}): check --token / CONSOLE_TOKEN, then restart the console"
            ),
            (LinkTrouble::Refused { status, message }, Lang::Zh) => {
                format!("中心拒绝连接（HTTP {status}）：{message}")
            }
            (LinkTrouble::Refused { status, message }, Lang::En) => {
                format!("the hub refused the connection (HTTP {status}): {message}")
            }
            (LinkTrouble::Unusable(detail), Lang::Zh) => format!("无法连接：{detail}"),
            (LinkTrouble::Unusable(detail), Lang::En) => format!("cannot connect: {detail}"),
            (LinkTrouble::Tls(detail), Lang::Zh) => format!("TLS 加密连接失败：{detail}"),
            (LinkTrouble::Tls(detail), Lang::En) => format!("the TLS connection failed: {detail}"),
            (LinkTrouble::Dropped(detail), Lang::Zh) => format!("连接中断：{detail}"),
            (LinkTrouble::Dropped(detail), Lang::En) => format!("the connection dropped: {detail}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_token_is_final_and_says_so_in_words() {
        let refused = LinkTrouble::of(&Error::Refused {
            status: 401,
            message: "a valid bearer token is required".into(),
        });
        assert!(refused.is_final());
        assert!(
            refused
                .text(Lang::En)
                .starts_with("the hub refused this token")
        );
        assert!(refused.text(Lang::Zh).starts_with("中心拒绝了此令牌"));
    }

    #[test]
    fn an_untrusted_certificate_names_the_hub_and_is_tried_again() {
        let untrusted = LinkTrouble::of(&Error::Certificate {
            host: "hub.example:7400".into(),
            reason: "invalid peer certificate: UnknownIssuer".into(),
            ca_file: None,
        });
        assert!(!untrusted.is_final());
        let text = untrusted.text(Lang::En);
        assert!(
            text.starts_with("the TLS connection failed: the certificate of the hub at hub.example:7400 did not verify"),
            "{text}"
        );
        assert!(untrusted.text(Lang::Zh).starts_with("TLS 加密连接失败"));
    }

    #[test]
    fn a_missing_hub_is_tried_again_and_named() {
        let down = LinkTrouble::of(&Error::Unreachable {
            addr: "127.0.0.1:7400".into(),
            message: "Connection refused (os error 111)".into(),
        });
        assert!(!down.is_final());
        assert_eq!(down.text(Lang::En), "no hub at 127.0.0.1:7400");
    }
}
