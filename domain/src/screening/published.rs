//! Checklist templates and reference data that headquarters publishes,
//! signed by its root key, delivered at enrolment and on pull. A device
//! installs a template only when the signature verifies, the template
//! validates, and its version is newer; it keeps every version it installed,
//! so a draft started on one version is finished on it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Checklist, Template};
use crate::certificate::trust::{verify_signed, Signed, TrustStore};

pub const TEMPLATE_DOMAIN: &str = "homeward/template/v1";
pub const REFERENCE_DOMAIN: &str = "homeward/reference/v1";

/// A template as published (its JSON text, so every replica checks the same bytes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublishedTemplate {
    pub template_json: String,
    pub published_ms: i64,
}

/// Reference data for the field: fees and validity, and the check-in period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReferenceData {
    pub sequence: u64,
    pub standard_fee_minor: u64,
    pub fee_currency: String,
    pub validity_days: u32,
}

/// The templates a device holds: `"id@version"` -> JSON, and which is current.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TemplateShelf {
    pub templates: BTreeMap<String, String>,
    pub current: Option<String>,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PublishError {
    #[error("not signed by headquarters' root")]
    BadSignature,
    #[error("the template does not parse or validate: {0}")]
    Invalid(String),
    #[error("version {found} is not newer than {held}")]
    NotNewer { found: u32, held: u32 },
}

/// Parses and validates a template's JSON into a checklist.
pub fn checklist_of(json: &str) -> Result<Checklist, PublishError> {
    let t = Template::from_json(json).map_err(|e| PublishError::Invalid(e.to_string()))?;
    Checklist::new(t).map_err(|problems| {
        PublishError::Invalid(problems.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("; "))
    })
}

fn key(id: &str, version: u32) -> String {
    format!("{id}@{version}")
}

impl TemplateShelf {
    /// Installs a published template: signature, validity, newer version.
    pub fn install(&mut self, trust: &TrustStore, signed: &Signed<PublishedTemplate>) -> Result<(), PublishError> {
        verify_signed(&trust.roots, TEMPLATE_DOMAIN, signed).map_err(|_| PublishError::BadSignature)?;
        let c = checklist_of(&signed.body.template_json)?;
        let t = c.template();
        let held = self.current_checklist();
        if held.template().id == t.id && held.template().version >= t.version {
            return Err(PublishError::NotNewer { found: t.version, held: held.template().version });
        }
        let k = key(&t.id, t.version);
        self.templates.insert(k.clone(), signed.body.template_json.clone());
        self.current = Some(k);
        Ok(())
    }

    /// The checklist new screenings use: the newer of the one installed last
    /// and the compiled-in default; on the same id and version, the installed
    /// one (headquarters' signed text wins over the build's).
    pub fn current_checklist(&self) -> Checklist {
        let default = super::default_checklist();
        match self.current.as_ref().and_then(|k| self.templates.get(k)).and_then(|j| checklist_of(j).ok()) {
            Some(installed)
                if installed.template().id != default.template().id
                    || installed.template().version >= default.template().version =>
            {
                installed
            }
            _ => default,
        }
    }

    /// The checklist a screening started on: the one installed under that
    /// id and version, else a compiled-in one (version 1 stays compiled in
    /// for the drafts started on it).
    pub fn checklist_for(&self, id: &str, version: u32) -> Option<Checklist> {
        self.templates
            .get(&key(id, version))
            .and_then(|j| checklist_of(j).ok())
            .or_else(|| super::built_in_checklist(id, version))
    }
}

/// Verifies reference data and whether it is newer than `held`.
pub fn check_reference(trust: &TrustStore, signed: &Signed<ReferenceData>, held: u64) -> Result<(), PublishError> {
    verify_signed(&trust.roots, REFERENCE_DOMAIN, signed).map_err(|_| PublishError::BadSignature)?;
    if signed.body.sequence <= held {
        return Err(PublishError::NotNewer { found: signed.body.sequence as u32, held: held as u32 });
    }
    Ok(())
}
