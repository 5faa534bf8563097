//! The simulated phones: real vaults on disk, enrolled with one-time codes
//! and syncing with headquarters over HTTPS (pinned to its own authority),
//! exactly as the field app does through the core. The officer's taps are
//! replaced by calls to the same core functions the app calls.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use homeward_core::certificate::request::{Applicant, CitizenshipEvidence, DocumentLoss, Sex, TraffickingFlag};
use homeward_core::certificate::{
    verify, CertificateCases, CertificateEvent, CertificateRequest, DeviceProfile, RequestState, VerifyContext,
};
use homeward_core::date::IsoDate;
use homeward_core::events::{DeviceIdentity, Role};
use homeward_core::screening::{
    default_checklist, AnswerValue, Lang, NewScreening, ScreeningRecordId, ScreeningRecords, YesNo,
};
use homeward_core::sync::{RetryPolicy, SyncReport};
use homeward_core::vault::{KdfParams, Secret, Vault, VaultOptions};
use homeward_hq::hq::Hq;

use crate::people::{Person, ScreeningProfile};

/// The demo phones' passphrase: fictional data only.
pub const DEMO_PASSPHRASE: &str = "demo passphrase, fictional data only";

pub type DemoResult<T> = Result<T, Box<dyn std::error::Error>>;

/// One simulated phone.
pub struct Phone {
    pub office: String,
    pub label: String,
    pub device_id: String,
    vault: Vault,
    identity: DeviceIdentity,
}

impl Phone {
    /// A new vault, enrolled with a fresh one-time code from headquarters.
    pub fn enrol(
        hq: &Hq,
        url: &str,
        ca_pem: &str,
        dir: &Path,
        office: &str,
        role: Role,
        label: &str,
    ) -> DemoResult<Phone> {
        // The lowest argon2id cost OWASP accepts: the demo creates several vaults at start.
        let options = VaultOptions { kdf: KdfParams::owasp_minimum(), ..VaultOptions::default() };
        let mut vault = Vault::create(&dir.join(office.to_lowercase()), &Secret::new(DEMO_PASSPHRASE), None, options)?;
        let code = hq.enrollment_code(office, role, 15)?;
        let r = homeward_core::sync::enroll_pinned(&mut vault, url, &code, &format!("demo {label}"), Some(ca_pem))?;
        let identity = DeviceProfile::load(&vault)?.identity()?;
        Ok(Phone { office: office.into(), label: label.into(), device_id: r.device_id, vault, identity })
    }

    /// How the demo's log names this phone: its post and its device id.
    pub fn name(&self) -> String {
        format!("{} ({})", self.label, self.device_id)
    }

    pub fn sync(&mut self) -> DemoResult<SyncReport> {
        Ok(homeward_core::sync::sync(&mut self.vault, RetryPolicy::default(), &|_| {}, &AtomicBool::new(false))?)
    }

    fn cases(&mut self) -> CertificateCases<'_> {
        CertificateCases::new(&mut self.vault)
    }

    /// A consular officer takes and submits a request (at `at_ms`, the
    /// officer's clock), as the app's request form does.
    pub fn take_request(
        &mut self,
        p: &Person,
        route: &str,
        loss: &str,
        victim: bool,
        at_ms: i64,
    ) -> DemoResult<String> {
        let today = date_of(at_ms)?;
        let born = IsoDate(today.0.replace_year(today.0.year() - p.age as i32).or_else(|_| today.0.replace_day(28))?);
        let loss = match loss {
            "held_by_trafficker" if victim => DocumentLoss::HeldByTrafficker,
            "held_by_employer" if victim => DocumentLoss::HeldByEmployer,
            _ if p.age.is_multiple_of(3) => DocumentLoss::Stolen,
            _ => DocumentLoss::Lost,
        };
        let request = CertificateRequest {
            applicant: Applicant {
                surname: p.surname.clone(),
                given_name: p.given_name.clone(),
                patronymic: None,
                date_of_birth: born,
                place_of_birth: p.place_of_birth.into(),
                sex: if p.man { Sex::M } else { Sex::F },
                photo_sha256: None,
                guardian: None,
                child_procedure: false,
            },
            evidence: vec![if p.age.is_multiple_of(2) {
                CitizenshipEvidence::NationalId { number: format!("ID{:07}", at_ms.rem_euclid(10_000_000)) }
            } else {
                CitizenshipEvidence::VerificationRequested
            }],
            loss,
            trafficking: victim.then(|| TraffickingFlag { screening_id: None, note: Some("referred to IOM".into()) }),
            children: vec![],
            route: route.into(),
            travel_date: today,
            officer_assessment: if victim {
                "passport withheld; account consistent with exploitation; referred to IOM".into()
            } else {
                "passport lost; account consistent".into()
            },
            issuing_office: self.office.clone(),
            request_date: today,
        };
        let case = CertificateCases::new(&mut self.vault).create(&self.identity, request, at_ms)?.case_id;
        CertificateCases::new(&mut self.vault).record(
            &self.identity,
            &case,
            CertificateEvent::Submitted,
            at_ms + 600_000,
        )?;
        Ok(case)
    }

    /// Issues every approved case: the officer sees the approval after a
    /// sync and prints the certificate. Returns (case, number, barcode, fee waived).
    pub fn issue_approved(&mut self, now_ms: i64) -> DemoResult<Vec<(String, String, String, bool)>> {
        let approved: Vec<String> = self
            .cases()
            .list()?
            .into_iter()
            .filter(|c| c.state == Some(RequestState::Approved))
            .map(|c| c.case_id)
            .collect();
        let today = date_of(now_ms)?;
        let mut out = Vec::new();
        for case in approved {
            let v = CertificateCases::new(&mut self.vault).issue(&self.identity, &case, None, today, now_ms)?;
            if let Some(c) = v.certificate {
                out.push((case, c.number, c.barcode, c.fee_waived));
            }
        }
        Ok(out)
    }

    /// A border guard checks a certificate offline and records the entry.
    /// Returns the verification's warnings, if any, as text.
    pub fn record_entry(&mut self, barcode: &str, now_ms: i64) -> DemoResult<Vec<String>> {
        let profile = DeviceProfile::load(&self.vault)?;
        let today = date_of(now_ms)?;
        let office = self.office.clone();
        let used = |_: &str| None;
        let ctx = VerifyContext { store: &profile.trust, now_ms, today, used: &used, photo: None };
        let ok = verify(barcode, &ctx)?;
        let warnings = ok.warnings.iter().map(|w| format!("{w:?}")).collect();
        CertificateCases::new(&mut self.vault).enter(&self.identity, &ok, &office, today, now_ms)?;
        Ok(warnings)
    }

    /// A border guard screens a traveller with the published checklist.
    pub fn screen(&mut self, profile: ScreeningProfile, age: u32, at_ms: i64) -> DemoResult<()> {
        let checklist = default_checklist();
        let date = date_of(at_ms)?;
        let crossing_point = crate::people::crossing_of(&self.office);
        let mut book = ScreeningRecords::new(&mut self.vault, &checklist);
        let s = book.start(NewScreening {
            crossing_point,
            officer: None,
            language: if age.is_multiple_of(2) { Lang::Ky } else { Lang::Ru },
            screening_date: date,
            now_unix_ms: at_ms,
        })?;
        let id = s.record_id()?;
        let yes = || AnswerValue::YesNo(YesNo::Yes);
        let no = || AnswerValue::YesNo(YesNo::No);
        let child = profile == ScreeningProfile::ChildLabour;
        book.answer(id, "appears_minor", if child { yes() } else { no() })?;
        let documents = match profile {
            ScreeningProfile::ForcedLabour | ScreeningProfile::Sexual => "held_by_other",
            _ => "own",
        };
        book.answer(id, "documents", AnswerValue::Choice(documents.into()))?;
        let mut answers: Vec<&str> = Vec::new();
        match profile {
            ScreeningProfile::NoIndicators => {}
            ScreeningProfile::ActOnly => answers.push("recruited"),
            ScreeningProfile::ForcedLabour => answers.extend(["recruited", "deceived", "debt", "forced_labour"]),
            ScreeningProfile::Sexual => answers.extend(["recruited", "deceived", "sexual"]),
            ScreeningProfile::ChildLabour => answers.extend(["recruited", "child_work"]),
        }
        // Indicators shown: the officer takes the person aside (the checklist
        // asks its sensitive questions only in the private interview).
        if !answers.is_empty() {
            book.move_to_private(id, None, at_ms + 120_000)?;
        }
        for q in answers {
            book.answer(id, q, yes())?;
        }
        book.finalise(id, at_ms + 240_000)?;
        Ok(())
    }
}

/// The day of a Unix time in ms (UTC).
pub fn date_of(ms: i64) -> DemoResult<IsoDate> {
    let t = time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))?;
    Ok(IsoDate(t.date()))
}
