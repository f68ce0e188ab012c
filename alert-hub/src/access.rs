//! Who may call each route: every route of the hub is declared with its [`Access`], and the
//! check runs before the route's handler (and before any WebSocket upgrade). There is no way to
//! add a route without saying who may call it.

use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;

use axum::Router;
use axum::extract::{Request, State};
use axum::handler::Handler;
use axum::http::Method;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{self, MethodRouter};

use crate::api_error::ApiError;
use crate::connections::Connection;
use crate::hub::Hub;

/// Who may call a route. A connection whose request passes a token check is marked
/// authenticated and is never shed to make room for others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone: the health checks, and the acknowledgement link whose path is its own proof.
    Public,
    /// A device or gateway with a source token; the handler finds its
    /// [`Source`](crate::config::Source) as a request extension.
    Source,
    /// An operator of any role with an operator token; the handler finds its
    /// [`OperatorInfo`](crate::protocol::OperatorInfo) as a request extension and may ask more
    /// of the role.
    Operator,
}

/// One route: its path, who may call it, and the handlers of its methods.
pub struct Route {
    pub path: &'static str,
    pub access: Access,
    pub methods: Methods,
}

impl std::fmt::Debug for Route {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Route")
            .field("path", &self.path)
            .field("access", &self.access)
            .field("methods", &self.methods.served)
            .finish_non_exhaustive()
    }
}

/// A route at `path` that `access` may call, served by `methods`.
pub fn route(path: &'static str, access: Access, methods: Methods) -> Route {
    Route {
        path,
        access,
        methods,
    }
}

/// The handlers of one path's methods, and which methods they are, so that the hub can list
/// every method and path it serves (see [`served`]). Built like axum's: `get(a).post(b)`.
pub struct Methods {
    router: MethodRouter<Arc<Hub>>,
    served: Vec<Method>,
}

impl Methods {
    fn with(mut self, method: Method, router: MethodRouter<Arc<Hub>>) -> Methods {
        self.router = self.router.merge(router);
        self.served.push(method);
        self
    }

    pub fn post<H: Handler<T, Arc<Hub>>, T: 'static>(self, handler: H) -> Methods {
        self.with(Method::POST, routing::post(handler))
    }

    pub fn put<H: Handler<T, Arc<Hub>>, T: 'static>(self, handler: H) -> Methods {
        self.with(Method::PUT, routing::put(handler))
    }
}

fn methods(method: Method, router: MethodRouter<Arc<Hub>>) -> Methods {
    Methods {
        router,
        served: vec![method],
    }
}

/// `handler` answers GET (and HEAD).
pub fn get<H: Handler<T, Arc<Hub>>, T: 'static>(handler: H) -> Methods {
    methods(Method::GET, routing::get(handler))
}

/// `handler` answers POST.
pub fn post<H: Handler<T, Arc<Hub>>, T: 'static>(handler: H) -> Methods {
    methods(Method::POST, routing::post(handler))
}

/// One method and path the hub serves, and who may call it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Served {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
}

/// Every method and path of `routes`, with who may call it.
pub fn served(routes: &[Route]) -> Vec<Served> {
    routes
        .iter()
        .flat_map(|route| {
            route.methods.served.iter().map(|method| Served {
                method: method.clone(),
                path: route.path,
                access: route.access,
            })
        })
        .collect()
}

/// A router of `routes`, each behind the check its access asks for.
pub fn router(routes: Vec<Route>, hub: &Arc<Hub>) -> Router<Arc<Hub>> {
    routes.into_iter().fold(Router::new(), |router, route| {
        let access = route.access;
        let check = middleware::from_fn_with_state(
            hub.clone(),
            move |state: State<Arc<Hub>>, request: Request, next: Next| {
                admit(access, state, request, next)
            },
        );
        router.route(route.path, route.methods.router.route_layer(check))
    })
}

/// Refuses a request without the right kind of token: logged (never the token itself) and
/// counted, so that a wrong token in a console or a probe of the routes is seen.
fn refuse(hub: &Hub, access: Access, request: &Request) -> Response {
    hub.metrics.sign_ins_refused.fetch_add(1, Relaxed);
    let presented = request
        .headers()
        .contains_key(axum::http::header::AUTHORIZATION);
    tracing::warn!(
        path = %request.uri().path(),
        wanted = ?access,
        token_presented = presented,
        "sign-in refused"
    );
    ApiError::unauthorized().into_response()
}

async fn admit(
    access: Access,
    State(hub): State<Arc<Hub>>,
    mut request: Request,
    next: Next,
) -> Response {
    match access {
        Access::Public => return next.run(request).await,
        Access::Source => match hub.source(request.headers()) {
            Some(source) => {
                request.extensions_mut().insert(source);
            }
            None => return refuse(&hub, access, &request),
        },
        Access::Operator => match hub.operator(request.headers()) {
            Some(operator) => {
                request.extensions_mut().insert(operator);
            }
            None => return refuse(&hub, access, &request),
        },
    }
    if let Some(connection) = request.extensions().get::<Connection>() {
        connection.authenticated();
    }
    next.run(request).await
}
