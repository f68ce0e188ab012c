//! The notification part of the site configuration: contacts, the channels' settings, and the
//! site's own playbook directory.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use super::Checker;

/// A person the notification trees may call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub id: String,
    pub name: String,
    /// A role of the playbook library, e.g. `security_lead`.
    pub role: String,
    /// The site the contact serves; `None` for every site.
    pub site: Option<String>,
    pub email: Option<String>,
    pub webhook: Option<String>,
    /// The number an operator calls them on (digits, spaces, `+`, `-`, parentheses).
    pub phone: Option<String>,
    /// A drill contact: called for drill incidents only, and the only kind a drill calls.
    pub drill: bool,
}

/// How notifications go out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifySettings {
    /// The hub's address as contacts reach it, for acknowledgement links.
    pub public_url: Option<String>,
    /// Who is told when a playbook step is skipped.
    pub shift_lead_role: String,
    /// In a drill, the drill contacts holding this role play the outside parties: a step that
    /// would call the fire brigade shows them instead (a drill never calls a real outside
    /// number).
    pub drill_control_role: String,
    /// An acknowledged P1 with no step done for this long is re-alerted and escalated.
    pub stall_after: Duration,
    pub webhook_timeout: Duration,
    pub webhook_retries: u32,
    pub smtp: Option<Smtp>,
}

/// A plain SMTP relay (no TLS, no authentication).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Smtp {
    pub host: String,
    pub port: u16,
    pub from: String,
}

impl Default for NotifySettings {
    fn default() -> Self {
        NotifySettings {
            public_url: None,
            shift_lead_role: "duty_manager".into(),
            drill_control_role: "safety_officer".into(),
            stall_after: Duration::from_secs(10 * 60),
            webhook_timeout: Duration::from_secs(5),
            webhook_retries: 2,
            smtp: None,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawContact {
    id: Spanned<String>,
    name: String,
    role: Spanned<String>,
    site: Option<Spanned<String>>,
    email: Option<Spanned<String>>,
    webhook: Option<Spanned<String>>,
    phone: Option<Spanned<String>>,
    #[serde(default)]
    drill: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawNotify {
    public_url: Option<String>,
    shift_lead_role: Option<Spanned<String>>,
    drill_control_role: Option<Spanned<String>>,
    stall_minutes: Option<Spanned<u64>>,
    webhook_timeout_secs: Option<Spanned<u64>>,
    webhook_retries: Option<u32>,
    smtp: Option<RawSmtp>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSmtp {
    host: String,
    #[serde(default = "default_smtp_port")]
    port: u16,
    from: Spanned<String>,
}

fn default_smtp_port() -> u16 {
    25
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPlaybooks {
    /// The site's own playbooks, overriding or adding to the bundled ones (relative to the file).
    dir: Option<Spanned<String>>,
}

impl Checker<'_> {
    pub(super) fn contacts(
        &mut self,
        raw: Vec<RawContact>,
        library: &playbooks::Library,
        site_known: impl Fn(&str) -> bool,
        ids: &mut std::collections::HashSet<String>,
    ) -> Vec<Contact> {
        let mut contacts = Vec::new();
        for (n, c) in raw.into_iter().enumerate() {
            let at = format!("contacts[{n}]");
            self.id(&c.id, format!("{at}.id"), ids);
            if library.roles().get(c.role.get_ref()).is_none() {
                let m = format!(
                    "role \"{}\" is not a role of the playbook library",
                    c.role.get_ref()
                );
                self.problem(&c.role, format!("{at}.role"), m);
            }
            if let Some(site) = &c.site
                && !site_known(site.get_ref())
            {
                let m = format!("site \"{}\" is not defined in [[sites]]", site.get_ref());
                self.problem(site, format!("{at}.site"), m);
            }
            if let Some(email) = &c.email
                && !email.get_ref().contains('@')
            {
                self.problem(
                    email,
                    format!("{at}.email"),
                    "is not an e-mail address".into(),
                );
            }
            if let Some(url) = &c.webhook
                && !url.get_ref().starts_with("http://")
            {
                let m = "must be an http:// URL (https is not supported yet)".to_string();
                self.problem(url, format!("{at}.webhook"), m);
            }
            let phone = self.phone(c.phone, format!("{at}.phone"));
            contacts.push(Contact {
                id: c.id.into_inner(),
                name: c.name,
                role: c.role.into_inner(),
                site: c.site.map(Spanned::into_inner),
                email: c.email.map(Spanned::into_inner),
                webhook: c.webhook.map(Spanned::into_inner),
                phone,
                drill: c.drill,
            });
        }
        contacts
    }

    /// Trees that name a contact id must find it (a problem); levels whose roles no contact
    /// holds only call the console (a warning: the hub still starts).
    pub(super) fn tree_recipients(
        &mut self,
        library: &playbooks::Library,
        contacts: &[Contact],
    ) -> Vec<String> {
        let mut warnings = Vec::new();
        for tree in library.trees() {
            for (n, level) in tree.levels.iter().enumerate() {
                for recipient in &level.recipients {
                    match recipient {
                        playbooks::Recipient::Contact(id)
                            if !contacts.iter().any(|c| c.id == *id) =>
                        {
                            self.problems.push(super::ConfigProblem {
                                line: 0,
                                field: "contacts".into(),
                                message: format!(
                                    "tree \"{}\" level {} names contact \"{id}\", which is not in [[contacts]]",
                                    tree.id,
                                    n + 1
                                ),
                            });
                        }
                        playbooks::Recipient::Role(role)
                            if !contacts.iter().any(|c| c.role == *role) =>
                        {
                            warnings.push(format!(
                                "tree \"{}\" level {}: no contact holds role \"{role}\"; only the console is told",
                                tree.id,
                                n + 1
                            ));
                        }
                        _ => {}
                    }
                }
            }
        }
        warnings.sort();
        warnings.dedup();
        warnings
    }

    pub(super) fn notify(
        &mut self,
        raw: RawNotify,
        library: &playbooks::Library,
    ) -> NotifySettings {
        let defaults = NotifySettings::default();
        let shift_lead_role = self
            .library_role(raw.shift_lead_role, "notify.shift_lead_role", library)
            .unwrap_or(defaults.shift_lead_role);
        let drill_control_role = self
            .library_role(raw.drill_control_role, "notify.drill_control_role", library)
            .unwrap_or(defaults.drill_control_role);
        let stall_after = self
            .positive(raw.stall_minutes, "notify", "stall_minutes")
            .map(|m| Duration::from_secs(m.saturating_mul(60)));
        let timeout = self
            .positive(raw.webhook_timeout_secs, "notify", "webhook_timeout_secs")
            .map(Duration::from_secs);
        let smtp = raw.smtp.map(|s| {
            if !s.from.get_ref().contains('@') {
                self.problem(
                    &s.from,
                    "notify.smtp.from".into(),
                    "is not an e-mail address".into(),
                );
            }
            Smtp {
                host: s.host,
                port: s.port,
                from: s.from.into_inner(),
            }
        });
        NotifySettings {
            public_url: raw.public_url.map(|u| u.trim_end_matches('/').to_string()),
            shift_lead_role,
            drill_control_role,
            stall_after: stall_after.unwrap_or(defaults.stall_after),
            webhook_timeout: timeout.unwrap_or(defaults.webhook_timeout),
            webhook_retries: raw.webhook_retries.unwrap_or(defaults.webhook_retries),
            smtp,
        }
    }

    /// A role named in `[notify]`, which must be a role of the library; `None` when not given
    /// or not a role (the problem recorded).
    fn library_role(
        &mut self,
        role: Option<Spanned<String>>,
        field: &str,
        library: &playbooks::Library,
    ) -> Option<String> {
        let role = role?;
        if library.roles().get(role.get_ref()).is_none() {
            let m = format!(
                "role \"{}\" is not a role of the playbook library",
                role.get_ref()
            );
            self.problem(&role, field.into(), m);
            return None;
        }
        Some(role.into_inner())
    }

    /// The bundled playbook library with the site's own directory over it; `None` (with the
    /// problems recorded) when it cannot be loaded.
    pub(super) fn library(&mut self, raw: RawPlaybooks, file: &Path) -> Option<playbooks::Library> {
        let bundled = match playbooks::Library::bundled() {
            Ok(library) => library,
            Err(e) => {
                self.problems.push(super::ConfigProblem {
                    line: 0,
                    field: "playbooks".into(),
                    message: format!("the bundled playbook library is invalid: {e}"),
                });
                return None;
            }
        };
        let Some(dir) = raw.dir else {
            return Some(bundled);
        };
        let base = file.parent().unwrap_or(Path::new("."));
        let path: PathBuf = base.join(dir.get_ref());
        match bundled.with_overrides(&path) {
            Ok(library) => Some(library),
            Err(e) => {
                self.problem(
                    &dir,
                    "playbooks.dir".into(),
                    format!("{}: {e}", path.display()),
                );
                None
            }
        }
    }
}
