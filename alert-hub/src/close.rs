//! Why the hub closes a WebSocket: the close code and reason that say what really happened,
//! for device and console connections alike.

use axum::extract::ws::{CloseFrame, close_code};
use tokio_tungstenite::tungstenite;

/// The close for a hub that is shutting down (and only then).
pub fn shutting_down() -> CloseFrame {
    CloseFrame {
        code: close_code::AWAY,
        reason: "the hub is shutting down".into(),
    }
}

/// The close for a connection whose frame could not be read: 1007 for a text frame that is
/// not UTF-8, 1009 for a frame or message above the hub's limit, 1002 for any other breach of
/// the WebSocket protocol. `None` when the connection is gone and nothing can be sent.
pub fn for_read_error(error: &axum::Error) -> Option<CloseFrame> {
    let cause = std::error::Error::source(error)?.downcast_ref::<tungstenite::Error>()?;
    let (code, reason) = match cause {
        tungstenite::Error::Utf8(_) => (close_code::INVALID, "a text frame was not valid UTF-8"),
        tungstenite::Error::Capacity(_) => (
            close_code::SIZE,
            "a frame or message is larger than the hub accepts (16 MiB)",
        ),
        tungstenite::Error::Protocol(_) | tungstenite::Error::AttackAttempt => (
            close_code::PROTOCOL,
            "the connection broke the WebSocket protocol",
        ),
        _ => return None,
    };
    Some(CloseFrame {
        code,
        reason: reason.into(),
    })
}

#[cfg(test)]
mod tests {
    use tungstenite::error::{CapacityError, ProtocolError};

    use super::*;

    fn code(cause: tungstenite::Error) -> Option<u16> {
        for_read_error(&axum::Error::new(cause)).map(|close| close.code)
    }

    #[test]
    fn each_read_error_closes_with_the_code_that_names_it() {
        assert_eq!(code(tungstenite::Error::Utf8("bad".into())), Some(1007));
        let too_long = CapacityError::MessageTooLong {
            size: 1 << 40,
            max_size: 1 << 24,
        };
        assert_eq!(code(tungstenite::Error::Capacity(too_long)), Some(1009));
        let unmasked = ProtocolError::UnmaskedFrameFromClient;
        assert_eq!(code(tungstenite::Error::Protocol(unmasked)), Some(1002));
        assert_eq!(code(tungstenite::Error::ConnectionClosed), None);
    }
}
