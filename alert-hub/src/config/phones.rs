//! Phone numbers in the site configuration: a contact's `phone`, each site's outside parties
//! (`[[sites.outside]]`: its lift maintenance, gas and water companies, or a local number for
//! the fire brigade), and the warnings for a party a playbook step calls that has no number at
//! some site.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use super::{Checker, Contact, Site};

/// An outside party as one site knows it: the company (or service) that answers for an
/// external role such as `elevator_maintenance` there, and its number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutsideParty {
    /// An external role of the playbook library.
    pub role: String,
    pub name: String,
    pub phone: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawOutside {
    role: Spanned<String>,
    name: String,
    phone: Spanned<String>,
}

/// The longest phone number taken, in characters: room for a country code, an extension and
/// the spaces people write.
pub const MAX_PHONE_CHARS: usize = 32;

/// Whether `text` is a phone number as people write one: digits, spaces, `+`, `-` and
/// parentheses, with at least one digit, `+` only in front, and at most [`MAX_PHONE_CHARS`].
pub fn is_phone_number(text: &str) -> bool {
    let allowed = text
        .char_indices()
        .all(|(i, c)| c.is_ascii_digit() || " -()".contains(c) || (c == '+' && i == 0));
    allowed
        && text.chars().any(|c| c.is_ascii_digit())
        && text.chars().count() <= MAX_PHONE_CHARS
        && text.trim() == text
}

impl Site {
    /// The outside party that answers for `role` at this site, if the site names one.
    pub fn outside_party(&self, role: &str) -> Option<&OutsideParty> {
        self.outside.iter().find(|o| o.role == role)
    }
}

impl Checker<'_> {
    /// A phone number as configured, or `None` (with the problem recorded) when it is not one.
    pub(super) fn phone(
        &mut self,
        phone: Option<Spanned<String>>,
        field: String,
    ) -> Option<String> {
        let phone = phone?;
        if is_phone_number(phone.get_ref()) {
            return Some(phone.into_inner());
        }
        let message = format!(
            "\"{}\" is not a phone number: use digits, spaces, +, - and parentheses \
             (e.g. \"+86 21 5555 0100\" or \"400-820-0000\")",
            phone.get_ref()
        );
        self.problem(&phone, field, message);
        None
    }

    /// The outside parties of site `n`: each for an external role of the library, once, with a
    /// phone number.
    pub(super) fn outside(
        &mut self,
        raw: Vec<RawOutside>,
        n: usize,
        library: &playbooks::Library,
    ) -> Vec<OutsideParty> {
        let mut parties: Vec<OutsideParty> = Vec::new();
        for (m, o) in raw.into_iter().enumerate() {
            let at = format!("sites[{n}].outside[{m}]");
            let role = o.role.get_ref();
            match library.roles().get(role) {
                None => {
                    let message = format!("role \"{role}\" is not a role of the playbook library");
                    self.problem(&o.role, format!("{at}.role"), message);
                }
                Some(r) if !r.external => {
                    let message = format!(
                        "role \"{role}\" is not an outside party (external in roles.toml): \
                         people holding it are [[contacts]] with a phone"
                    );
                    self.problem(&o.role, format!("{at}.role"), message);
                }
                Some(_) if parties.iter().any(|p| p.role == *role) => {
                    let message = format!("the site already names its \"{role}\"");
                    self.problem(&o.role, format!("{at}.role"), message);
                }
                Some(_) => {}
            }
            let phone = self.phone(Some(o.phone), format!("{at}.phone"));
            parties.push(OutsideParty {
                role: o.role.into_inner(),
                name: o.name,
                phone: phone.unwrap_or_default(),
            });
        }
        parties
    }
}

/// What the playbooks call and cannot reach by phone, per site, as warnings: an outside party
/// with no number there (neither the site's own nor the library's), or a role of people no
/// real contact serving the site with a phone holds.
pub(super) fn unreachable_calls(
    library: &playbooks::Library,
    sites: &[Site],
    contacts: &[Contact],
) -> Vec<String> {
    let mut callers: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for playbook in library.playbooks() {
        for step in &playbook.steps {
            for role in &step.calls {
                let steps = callers.entry(role.as_str()).or_default();
                steps.push(format!("{}/{}", playbook.id, step.id));
            }
        }
    }
    let mut warnings = Vec::new();
    for site in sites {
        for (role, steps) in &callers {
            let outside = library.roles().is_external(role);
            let reachable = if outside {
                site.outside_party(role).is_some()
                    || library.roles().get(role).is_some_and(|r| r.phone.is_some())
            } else {
                contacts.iter().any(|c| {
                    !c.drill
                        && c.role == *role
                        && c.phone.is_some()
                        && c.site.as_ref().is_none_or(|s| *s == site.id)
                })
            };
            if reachable {
                continue;
            }
            let steps = steps.join(", ");
            let fix = if outside {
                format!("add [[sites.outside]] with role = \"{role}\" and its phone")
            } else {
                format!("give a contact holding \"{role}\" at this site a phone")
            };
            warnings.push(format!(
                "site \"{}\": \"{role}\" has no phone number (called by {steps}): {fix}",
                site.id
            ));
        }
    }
    warnings
}
