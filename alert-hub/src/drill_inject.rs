//! A drill's events injected over HTTP (`POST /v1/drills/{id}/events`): one device event in the
//! device protocol's shape, taken through the core's ingest as the drill's event of a device
//! (stored durably, deduplicated, opening or joining the drill's incidents), and never counted
//! as any configured source speaking, so supervision still sees a silent source as silent.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Extension, Path, State};
use axum::http::StatusCode;
use tokio::sync::oneshot;

use crate::api_error::ApiError;
use crate::core::Request;
use crate::drills_api::drill_operator;
use crate::hub::Hub;
use crate::incident::Action;
use crate::ingest::read_frame;
use crate::protocol::{Ack, DeviceReply, Nack, NackCode, OperatorInfo};

/// The source injected events of drill `id` are stored under: a configured source's id has no
/// `/`, so it is never one of theirs, and event ids dedupe per drill.
pub fn injected_source(id: &str) -> String {
    format!("drill/{id}")
}

fn refused(id: Option<String>, error: NackCode, message: String) -> ApiError {
    ApiError::nack(Nack {
        nack: id,
        error,
        message,
    })
}

/// Takes one event as the drill's; answers the device protocol's ack (201 when stored, 200 for
/// a duplicate) or its nack code as the error, `drill_not_running` (409) unless the drill runs.
pub(crate) async fn inject(
    State(hub): State<Arc<Hub>>,
    Extension(operator): Extension<OperatorInfo>,
    Path(id): Path<String>,
    body: String,
) -> Result<(StatusCode, Json<Ack>), ApiError> {
    drill_operator(operator, Action::StartDrill)?;
    let drills = hub.store.drills().map_err(ApiError::internal)?;
    let Some(drill) = drills.into_iter().find(|d| d.id == id) else {
        return Err(refused(
            None,
            NackCode::DrillNotRunning,
            format!("drill \"{id}\" is not running: start it before injecting its events"),
        ));
    };
    let mut event = read_frame(&body, |_| true).map_err(ApiError::nack)?;
    let site_known = hub.config.site(&event.site).is_some();
    let drill_site = drill.site.as_deref().unwrap_or(event.site.as_str());
    if !site_known || drill_site != event.site {
        let message = match &drill.site {
            Some(site) => format!(
                "site \"{}\" is not the site of drill \"{id}\": its events happen at \"{site}\"",
                event.site
            ),
            None => format!("site \"{}\" is not served by this hub", event.site),
        };
        return Err(refused(Some(event.id), NackCode::UnknownSite, message));
    }
    match &event.drill {
        Some(other) if *other != id => {
            let message = format!(
                "the event names drill \"{other}\" but is injected into drill \"{id}\": \
                 leave \"drill\" null or name this drill"
            );
            return Err(ApiError::bad_request(message));
        }
        _ => event.drill = Some(id.clone()),
    }
    if hub.health.failing() {
        let message = "the hub cannot store events now; nothing was stored: resend later";
        return Err(refused(
            Some(event.id),
            NackCode::StoreUnavailable,
            message.into(),
        ));
    }
    let (reply, rx) = oneshot::channel();
    let request = Request::Ingest {
        source: Arc::from(injected_source(&id)),
        event,
        over_rate: None,
        injected: true,
        reply,
    };
    hub.core.send(request).await.map_err(ApiError::internal)?;
    match rx.await.map_err(ApiError::internal)? {
        DeviceReply::Ack(ack) if ack.duplicate => Ok((StatusCode::OK, Json(ack))),
        DeviceReply::Ack(ack) => Ok((StatusCode::CREATED, Json(ack))),
        DeviceReply::Nack(nack) => Err(ApiError::nack(nack)),
    }
}
