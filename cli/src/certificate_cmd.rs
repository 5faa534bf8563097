//! `homeward device ...` and `homeward certificate ...`: the consular
//! officer's requests and issuance, headquarters' decisions (with a training
//! key until the server lands), and the border guard's offline verification.

use homeward_core::date::Today;
use homeward_core::random::OsRng;
use std::path::{Path, PathBuf};

use clap::Subcommand;
use homeward_core::certificate::trust::{sign_list, signer_entry, Signed, REVOCATION_LIST, TRUST_LIST};
use homeward_core::certificate::{barcode, photo};
use homeward_core::certificate::{
    qr_matrix, verify, CaseView, CertificateCases, CertificateEvent, CertificateRequest, DeviceProfile, RevocationList,
    RootKey, TrustList, TrustStore, VerifyContext,
};
use homeward_core::date::IsoDate;
use homeward_core::events::{DeviceIdentity, KeyRing, PublicIdentity, Role};
use homeward_core::vault::{DeviceKeyStore, Vault};

use crate::output::{CliError, Output};
use crate::qr_image;
use homeward_core::audit::{AuditAction, SubjectKind};

#[derive(Subcommand)]
pub enum DeviceCmd {
    /// Give this vault a signing identity (role and office). With
    /// --training-hq, also a local stand-in for headquarters' key, so a
    /// request can be approved without the server (training only).
    Init {
        #[arg(long)]
        role: Role,
        #[arg(long)]
        office: String,
        #[arg(long, default_value_t = 1)]
        device_no: u16,
        #[arg(long)]
        training_hq: bool,
    },
    /// Show this device's identity and trust store.
    Show,
    /// Print the trust bundle (root key, trust and revocation lists, known
    /// identities) for another training device to import.
    Bundle,
    /// Import a trust bundle printed by `device bundle`.
    ImportBundle { file: PathBuf },
}

#[derive(Subcommand)]
pub enum CertificateCmd {
    /// Take a request from a JSON file (docs/CERTIFICATES.md); a draft unless --submit.
    Request {
        #[arg(long)]
        file: PathBuf,
        /// The applicant's photo (JPEG or PNG), kept as a sealed attachment.
        #[arg(long)]
        photo: Option<PathBuf>,
        /// The old passport's or identity card's zone (ICAO Doc 9303, a text
        /// file, `-` for standard input): fills the applicant's surname, given
        /// name, date of birth and sex where the file leaves them out, and adds
        /// the document as evidence of citizenship.
        #[arg(long)]
        mrz: Option<PathBuf>,
        #[arg(long)]
        submit: bool,
    },
    /// Submit a draft to headquarters.
    Submit {
        id: String,
    },
    List,
    Show {
        id: String,
        /// Why the applicant's full record is opened (required; kept in the audit trail).
        #[arg(long)]
        reason: Option<String>,
    },
    /// Headquarters' decisions (training key until the server lands).
    Hq {
        #[command(subcommand)]
        cmd: HqCmd,
    },
    /// Issue an approved request: number, validity, signed barcode; optionally a PDF and a PNG of the QR.
    Issue {
        id: String,
        #[arg(long)]
        days: Option<u32>,
        #[arg(long)]
        pdf: Option<PathBuf>,
        #[arg(long)]
        png: Option<PathBuf>,
    },
    /// Verify a certificate offline, from the barcode text or an image of it.
    Verify {
        #[arg(long, required_unless_present = "image", conflicts_with = "image")]
        qr: Option<String>,
        #[arg(long)]
        image: Option<PathBuf>,
        /// The holder's photo on file, to compare with the certificate's photo hash.
        #[arg(long)]
        photo: Option<PathBuf>,
        /// Verify as of this date (default today).
        #[arg(long)]
        date: Option<IsoDate>,
    },
    /// Verify and record the holder's entry (border guard): from the barcode
    /// text or image, or from a case held on this device by its ID.
    Enter {
        /// A case id whose certificate this device holds.
        id: Option<String>,
        #[arg(long, conflicts_with = "image")]
        qr: Option<String>,
        #[arg(long)]
        image: Option<PathBuf>,
        #[arg(long)]
        crossing: String,
        #[arg(long)]
        date: Option<IsoDate>,
    },
}

#[derive(Subcommand)]
pub enum HqCmd {
    VerifyIdentity {
        id: String,
        #[arg(long, default_value = "identity confirmed")]
        note: String,
    },
    MoreInfo {
        id: String,
        #[arg(long)]
        question: String,
    },
    Approve {
        id: String,
        #[arg(long, default_value_t = 30)]
        days: u32,
    },
    Reject {
        id: String,
        #[arg(long)]
        reason: String,
    },
    Revoke {
        id: String,
        #[arg(long)]
        reason: String,
    },
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

fn case_err(e: homeward_core::certificate::CaseError) -> CliError {
    match e {
        homeward_core::certificate::CaseError::Vault(v) => CliError::Vault(v),
        other => CliError::Case(other),
    }
}

/// A trust bundle: what enrolment will deliver; a file in training.
#[derive(serde::Serialize, serde::Deserialize)]
struct Bundle {
    roots: Vec<RootKey>,
    trust_list: Option<Signed<TrustList>>,
    revocations: Option<Signed<RevocationList>>,
    identities: Vec<PublicIdentity>,
}

pub fn device(out: &Output, dir: &Path, ks: Option<&dyn DeviceKeyStore>, cmd: DeviceCmd) -> Result<(), CliError> {
    let mut v = crate::open_unlocked(dir, ks)?;
    let mut profile = DeviceProfile::load(&v).map_err(case_err)?;
    match cmd {
        DeviceCmd::Init { role, office, device_no, training_hq } => {
            if profile.identity.is_some() {
                return Err(CliError::Input("this device already has an identity".into()));
            }
            let office = office.trim().to_uppercase();
            if office.is_empty() || office.len() > 12 || !office.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            {
                return Err(CliError::Input("the office code must be 1-12 letters, digits or dashes".into()));
            }
            let device_id = format!(
                "{}-{:02}-{}",
                office.to_lowercase(),
                device_no,
                &uuid::Uuid::new_v4().simple().to_string()[..8]
            );
            let me = DeviceIdentity::generate(&device_id, role, &office, &mut OsRng);
            profile.keyring.add(me.public());
            profile.device_no = device_no;
            if training_hq {
                let hq = DeviceIdentity::generate("training-hq", Role::Headquarters, "HQ", &mut OsRng);
                profile.keyring.add(hq.public());
                profile.trust = TrustStore::with_root(RootKey::of(&hq));
                let today = IsoDate::today();
                let signers = if role == Role::ConsularOfficer {
                    let until = IsoDate(today.0.checked_add(time::Duration::days(730)).unwrap_or(today.0));
                    vec![signer_entry(&me, today, until)]
                } else {
                    vec![]
                };
                let list = TrustList { sequence: 1, issued_at_ms: now_ms(), signers };
                profile
                    .trust
                    .install_trust_list(sign_list(TRUST_LIST, &list, &hq))
                    .map_err(|e| CliError::Input(e.to_string()))?;
                let rev = RevocationList {
                    sequence: 1,
                    issued_at_ms: now_ms(),
                    certificates: vec![],
                    signers: vec![],
                    kept: vec![],
                    kept_signers: vec![],
                };
                profile
                    .trust
                    .install_revocations(sign_list(REVOCATION_LIST, &rev, &hq))
                    .map_err(|e| CliError::Input(e.to_string()))?;
                profile.training_headquarters = Some(hq.to_stored());
            }
            profile.identity = Some(me.to_stored());
            profile.save(&mut v).map_err(case_err)?;
            out.print(
                &format!("Device {device_id}: {role:?} at {office}{}", if training_hq { " (with a TRAINING headquarters key)" } else { "" }),
                &serde_json::json!({ "device_id": device_id, "role": role, "office": office, "training_hq": training_hq }),
            );
            Ok(())
        }
        DeviceCmd::Show => {
            let id = profile.identity().ok();
            let j = serde_json::json!({
                "identity": id.as_ref().map(|i| i.public()),
                "device_no": profile.device_no,
                "training_hq": profile.training_headquarters.is_some(),
                "known_identities": profile.keyring.iter().count(),
                "trust_list_sequence": profile.trust.trust_list.as_ref().map(|t| t.body.sequence),
                "signers": profile.trust.trust_list.as_ref().map(|t| t.body.signers.len()),
                "revocation_list_sequence": profile.trust.revocations.as_ref().map(|t| t.body.sequence),
                "certificates_issued": profile.certificate_sequence,
            });
            out.print(&crate::output::to_json_text(&j), &j);
            Ok(())
        }
        DeviceCmd::Bundle => {
            let b = Bundle {
                roots: profile.trust.roots.clone(),
                trust_list: profile.trust.trust_list.clone(),
                revocations: profile.trust.revocations.clone(),
                identities: profile.keyring.iter().cloned().collect(),
            };
            println!("{}", crate::output::to_json_text(&b));
            Ok(())
        }
        DeviceCmd::ImportBundle { file } => {
            let s = std::fs::read_to_string(&file).map_err(|e| CliError::Input(format!("{}: {e}", file.display())))?;
            let b: Bundle =
                serde_json::from_str(&s).map_err(|e| CliError::Input(format!("not a trust bundle: {e}")))?;
            if profile.trust.roots.is_empty() {
                profile.trust.roots = b.roots.clone();
            }
            if let Some(t) = b.trust_list {
                profile.trust.install_trust_list(t).map_err(|e| CliError::Input(e.to_string()))?;
            }
            if let Some(r) = b.revocations {
                profile.trust.install_revocations(r).map_err(|e| CliError::Input(e.to_string()))?;
            }
            let mut ring: KeyRing = profile.keyring.clone();
            for i in b.identities {
                ring.add(i);
            }
            profile.keyring = ring;
            profile.save(&mut v).map_err(case_err)?;
            out.print("Trust bundle imported.", &serde_json::json!({ "imported": true }));
            Ok(())
        }
    }
}

fn read_photo(v: &Vault, case_id: &str) -> Result<Option<Vec<u8>>, CliError> {
    Ok(photo::load(v, case_id).map_err(photo_err)?.map(|b| b.to_vec()))
}

fn photo_err(e: photo::PhotoError) -> CliError {
    match e {
        photo::PhotoError::Vault(v) => CliError::Vault(v),
        other => CliError::Input(other.to_string()),
    }
}

fn barcode_text(qr: Option<String>, image: Option<PathBuf>) -> Result<String, CliError> {
    match (qr, image) {
        (Some(t), _) => Ok(t),
        (None, Some(p)) => {
            let bytes = std::fs::read(&p).map_err(|e| CliError::Input(format!("{}: {e}", p.display())))?;
            let texts = qr_image::read_qr(&bytes).map_err(CliError::Input)?;
            texts
                .into_iter()
                .find(|t| t.starts_with(barcode::PREFIX))
                .ok_or_else(|| CliError::Input("the image holds no Certificate of Return barcode".into()))
        }
        (None, None) => Err(CliError::Input("give --qr or --image".into())),
    }
}

fn print_case(out: &Output, v: &CaseView, profile: &DeviceProfile) {
    let fee = v
        .request
        .as_ref()
        .map(|r| homeward_core::certificate::fee_for(r, profile.standard_fee_minor, &profile.fee_currency));
    let mut s = format!("Case {}\n  state: {:?}\n", v.case_id, v.state);
    if let Some(r) = &v.request {
        s.push_str(&format!(
            "  applicant: {} {}{}\n  office: {}  travel: {} on {}\n  trafficking: {}\n",
            r.applicant.surname,
            r.applicant.given_name,
            r.applicant.patronymic.as_ref().map(|p| format!(" {p}")).unwrap_or_default(),
            r.issuing_office,
            r.route,
            r.travel_date,
            if r.trafficking.is_some() { "yes (fee waived)" } else { "no" }
        ));
    }
    match (&v.certificate, &fee) {
        (Some(c), _) => s.push_str(&format!(
            "  certificate: {}  valid {} to {}\n  fee: {}\n",
            c.number, c.issue_date, c.expiry_date, c.fee_reason
        )),
        (None, Some(f)) => s.push_str(&format!("  fee: {}\n", f.reason)),
        (None, None) => {}
    }
    if let Some((crossing, date)) = &v.entry {
        s.push_str(&format!("  entered at {crossing} on {date}\n"));
    }
    if let Some(n) = &v.last_note {
        s.push_str(&format!("  note: {n}\n"));
    }
    if let Some(c) = &v.conflict {
        s.push_str(&format!(
            "  CONFLICT after {}: {} branches — headquarters must resolve\n",
            c.after,
            c.branches.len()
        ));
    }
    for r in &v.refused {
        s.push_str(&format!("  refused event {} ({}): {}\n", r.event_id, r.event, r.reason));
    }
    s.push_str("  history:\n");
    for (_, name, author, role, _) in &v.history {
        s.push_str(&format!("    {name} by {author} ({role:?})\n"));
    }
    let mut j = crate::output::to_json(v);
    j["fee"] = crate::output::to_json(&fee);
    out.print(s.trim_end(), &j);
}

pub fn certificate(
    out: &Output,
    dir: &Path,
    ks: Option<&dyn DeviceKeyStore>,
    cmd: CertificateCmd,
) -> Result<(), CliError> {
    let mut v = crate::open_unlocked(dir, ks)?;
    let profile = DeviceProfile::load(&v).map_err(case_err)?;
    match cmd {
        CertificateCmd::Request { file, photo, mrz, submit } => {
            let me = profile.identity().map_err(case_err)?;
            let s = std::fs::read_to_string(&file).map_err(|e| CliError::Input(format!("{}: {e}", file.display())))?;
            let mut j: serde_json::Value =
                serde_json::from_str(&s).map_err(|e| CliError::Input(format!("{}: {e}", file.display())))?;
            if let Some(zone) = mrz {
                let doc = crate::mrz_cmd::read_zone_file(&zone, IsoDate::today())?;
                prefill_request(&mut j, &doc.request_prefill());
            }
            if let Some(o) = j.as_object_mut() {
                o.entry("request_date").or_insert_with(|| IsoDate::today().to_string().into());
                o.entry("issuing_office").or_insert_with(|| me.office().into());
            }
            let mut request: CertificateRequest =
                serde_json::from_value(j).map_err(|e| CliError::Input(format!("{}: {e}", file.display())))?;
            let photo_bytes = photo
                .map(|p| std::fs::read(&p).map_err(|e| CliError::Input(format!("{}: {e}", p.display()))))
                .transpose()?;
            if let Some(b) = &photo_bytes {
                // Refused before anything is saved: the hash goes into a signed request.
                photo::check(b).map_err(photo_err)?;
                request.applicant.photo_sha256 = Some(photo::sha256_hex(b));
            }
            let mut cases = CertificateCases::new(&mut v);
            let mut view = cases.create(&me, request, now_ms()).map_err(case_err)?;
            if submit {
                view = cases.record(&me, &view.case_id, CertificateEvent::Submitted, now_ms()).map_err(case_err)?;
            }
            if let Some(b) = photo_bytes {
                photo::save(&mut v, &view.case_id, &b).map_err(photo_err)?;
            }
            let problems = view.request.as_ref().map(homeward_core::certificate::validate).unwrap_or_default();
            if !problems.is_empty() && !out.json {
                println!("Saved as a draft; to submit, fix:");
                for p in &problems {
                    println!("  {}: {}", p.field, p.message);
                }
            }
            crate::dataprot_cmd::audit(&mut v, AuditAction::Create, SubjectKind::CertificateCase, &view.case_id, None)?;
            print_case(out, &view, &profile);
            Ok(())
        }
        CertificateCmd::Submit { id } => {
            let me = profile.identity().map_err(case_err)?;
            let view = CertificateCases::new(&mut v)
                .record(&me, &id, CertificateEvent::Submitted, now_ms())
                .map_err(case_err)?;
            crate::dataprot_cmd::audit(&mut v, AuditAction::Change, SubjectKind::CertificateCase, &id, None)?;
            print_case(out, &view, &profile);
            Ok(())
        }
        CertificateCmd::List => {
            let list = CertificateCases::new(&mut v).list().map_err(case_err)?;
            let text = if list.is_empty() {
                "no cases".to_string()
            } else {
                list.iter()
                    .map(|c| {
                        format!(
                            "{}  {:<26} {:<16} {}{}",
                            c.case_id,
                            format!("{:?}", c.state),
                            c.certificate_number.clone().unwrap_or_default(),
                            if c.trafficking { "trafficking " } else { "" },
                            if c.conflict { "CONFLICT" } else { "" }
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            out.print(&text, &crate::output::to_json(&list));
            Ok(())
        }
        CertificateCmd::Show { id, reason } => {
            crate::dataprot_cmd::check_reason(reason.as_deref())?;
            let view = CertificateCases::new(&mut v).view(&id).map_err(case_err)?;
            crate::dataprot_cmd::sensitive_view(&mut v, SubjectKind::CertificateCase, &id, reason.as_deref())?;
            print_case(out, &view, &profile);
            Ok(())
        }
        CertificateCmd::Hq { cmd } => {
            let hq = profile.training_headquarters().ok_or_else(|| {
                CliError::Input("no headquarters key here: decisions come from headquarters (training: `device init --training-hq`)".into())
            })?;
            let (id, body) = match cmd {
                HqCmd::VerifyIdentity { id, note } => (id, CertificateEvent::IdentityVerified { note }),
                HqCmd::MoreInfo { id, question } => (id, CertificateEvent::MoreInformationRequested { question }),
                HqCmd::Approve { id, days } => (id, CertificateEvent::Approved { validity_days: days }),
                HqCmd::Reject { id, reason } => (id, CertificateEvent::Rejected { reason }),
                HqCmd::Revoke { id, reason } => (id, CertificateEvent::Revoked { reason }),
            };
            let revoked = matches!(body, CertificateEvent::Revoked { .. });
            let view = CertificateCases::new(&mut v).record(&hq, &id, body, now_ms()).map_err(case_err)?;
            if revoked {
                // Headquarters publishes the revocation: a new signed list.
                let mut p = DeviceProfile::load(&v).map_err(case_err)?;
                let mut rev = p.trust.revocations.as_ref().map(|r| r.body.clone()).unwrap_or(RevocationList {
                    sequence: 0,
                    issued_at_ms: 0,
                    certificates: vec![],
                    signers: vec![],
                    kept: vec![],
                    kept_signers: vec![],
                });
                rev.sequence += 1;
                rev.issued_at_ms = now_ms();
                if let Some(c) = &view.certificate {
                    rev.certificates.push(c.number.clone());
                }
                p.trust
                    .install_revocations(sign_list(REVOCATION_LIST, &rev, &hq))
                    .map_err(|e| CliError::Input(e.to_string()))?;
                p.save(&mut v).map_err(case_err)?;
            }
            crate::dataprot_cmd::audit(&mut v, AuditAction::Change, SubjectKind::CertificateCase, &id, None)?;
            print_case(out, &view, &profile);
            Ok(())
        }
        CertificateCmd::Issue { id, days, pdf, png } => {
            let me = profile.identity().map_err(case_err)?;
            let view =
                CertificateCases::new(&mut v).issue(&me, &id, days, IsoDate::today(), now_ms()).map_err(case_err)?;
            let cert = view.certificate.clone().expect("issued");
            let qr = qr_matrix(&cert.barcode).map_err(|e| CliError::Input(e.to_string()))?;
            if let Some(path) = &png {
                std::fs::write(path, qr_image::to_png(&qr, 6))?;
            }
            if let Some(path) = &pdf {
                let payload = barcode::decode(&cert.barcode).map_err(|e| CliError::Input(e.to_string()))?.payload;
                let photo = read_photo(&v, &id)?;
                let request = view.request.as_ref().expect("issued cases have a request");
                let bytes = crate::pdf::render(&crate::pdf::PdfInput {
                    payload: &payload,
                    barcode: &cert.barcode,
                    qr: &qr,
                    photo: photo.as_deref(),
                    place_of_birth: &request.applicant.place_of_birth,
                })
                .map_err(CliError::Input)?;
                std::fs::write(path, bytes)?;
            }
            crate::dataprot_cmd::audit(&mut v, AuditAction::Change, SubjectKind::CertificateCase, &id, None)?;
            if pdf.is_some() || png.is_some() {
                // The PDF and the QR image both carry the holder's identity.
                crate::dataprot_cmd::audit(&mut v, AuditAction::Export, SubjectKind::CertificateCase, &id, None)?;
            }
            if !out.json {
                println!("Issued {} (QR version {}, {} characters)", cert.number, qr.version, cert.barcode.len());
            }
            let mut j = crate::output::to_json(&view);
            j["qr_version"] = qr.version.into();
            j["barcode_chars"] = cert.barcode.len().into();
            if out.json {
                println!("{}", crate::output::to_json_text(&j));
            } else {
                println!("{}", cert.barcode);
            }
            Ok(())
        }
        CertificateCmd::Verify { qr, image, photo, date } => {
            let text = barcode_text(qr, image)?;
            let photo = photo
                .map(|p| std::fs::read(&p).map_err(|e| CliError::Input(format!("{}: {e}", p.display()))))
                .transpose()?;
            let cases = CertificateCases::new(&mut v);
            let entry = |case: &str| cases.entry_of(case).ok().flatten();
            let decoded = barcode::decode(&text).ok();
            let used = |_: &str| decoded.as_ref().and_then(|b| entry(&b.payload.case_id));
            let ctx = VerifyContext {
                store: &profile.trust,
                now_ms: now_ms(),
                today: date.unwrap_or_else(IsoDate::today),
                used: &used,
                photo: photo.as_deref(),
            };
            let verified = verify(&text, &ctx).map_err(CliError::Verify)?;
            print_verified(out, &verified);
            Ok(())
        }
        CertificateCmd::Enter { id, qr, image, crossing, date } => {
            let me = profile.identity().map_err(case_err)?;
            let text = match id {
                Some(case) => CertificateCases::new(&mut v)
                    .view(&case)
                    .map_err(case_err)?
                    .certificate
                    .map(|c| c.barcode)
                    .ok_or_else(|| CliError::Input("this case has no certificate on this device".into()))?,
                None => barcode_text(qr, image)?,
            };
            let today = date.unwrap_or_else(IsoDate::today);
            let mut cases = CertificateCases::new(&mut v);
            let decoded = barcode::decode(&text).ok();
            let prior = match &decoded {
                Some(b) => cases.entry_of(&b.payload.case_id).map_err(case_err)?,
                None => None,
            };
            let used = |_: &str| prior.clone();
            let ctx = VerifyContext { store: &profile.trust, now_ms: now_ms(), today, used: &used, photo: None };
            let verified = verify(&text, &ctx).map_err(CliError::Verify)?;
            let e = cases.enter(&me, &verified, &crossing, today, now_ms()).map_err(case_err)?;
            crate::dataprot_cmd::audit(&mut v, AuditAction::Change, SubjectKind::CertificateCase, &e.case_id, None)?;
            if !out.json {
                println!("Entry recorded at {crossing} on {today} (event {}).", e.id);
            }
            print_verified(out, &verified);
            Ok(())
        }
    }
}

fn print_verified(out: &Output, v: &homeward_core::certificate::Verified) {
    let p = &v.payload;
    let mut s = format!(
        "VALID  {}\n  {} {}{}  born {}  sex {:?}\n  issued by {} on {}, valid until {}\n  photo: {:?}\n  trust list: {} h old; revocation list: {}\n",
        p.number,
        p.surname,
        p.given_name,
        p.patronymic.as_ref().map(|x| format!(" {x}")).unwrap_or_default(),
        p.date_of_birth,
        p.sex,
        v.signer_office,
        p.issue_date,
        p.expiry_date,
        v.photo,
        v.trust_list_age_hours,
        v.revocation_list_age_hours.map(|h| format!("{h} h old")).unwrap_or_else(|| "none".into()),
    );
    for c in &p.children {
        s.push_str(&format!("  with child {} {}, born {}\n", c.surname, c.given_name, c.date_of_birth));
    }
    for w in &v.warnings {
        s.push_str(&format!("  WARNING: {w:?}: sync with headquarters soon\n"));
    }
    out.print(s.trim_end(), &crate::output::to_json(v));
}

/// Fills what the request file leaves out from a document's zone; what the
/// officer wrote in the file wins. The document joins the evidence once.
fn prefill_request(j: &mut serde_json::Value, p: &homeward_core::mrz::RequestPrefill) {
    let Some(o) = j.as_object_mut() else { return };
    let applicant = o.entry("applicant").or_insert_with(|| serde_json::json!({}));
    if let Some(a) = applicant.as_object_mut() {
        a.entry("surname").or_insert_with(|| p.surname.clone().into());
        a.entry("given_name").or_insert_with(|| p.given_name.clone().into());
        if let Some(d) = p.date_of_birth {
            a.entry("date_of_birth").or_insert_with(|| d.to_string().into());
        }
        a.entry("sex").or_insert_with(|| serde_json::to_value(p.sex).unwrap_or_default());
    }
    let evidence = serde_json::to_value(&p.evidence).unwrap_or_default();
    let list = o.entry("evidence").or_insert_with(|| serde_json::json!([]));
    if let Some(l) = list.as_array_mut() {
        if !l.contains(&evidence) {
            l.push(evidence);
        }
    }
}
