//! Store and forward for the shells (docs/PROTOCOL.md, "Store and forward"):
//! at a post without a link, export what waits to sync as a bundle sealed
//! to headquarters (a file to save, and QR frames to show in a loop); on a
//! colleague's device, import it (a file, or frames scanned in any order)
//! to forward at its next sync; receipts come back as a file or with the
//! post's next sync. Nothing here can read a bundle.

use std::sync::{Arc, Mutex};

use homeward_core::audit::{AuditAction, SubjectKind};
use homeward_core::forward::{self, frames, BundleError, CarriedState, ForwardError, ForwardFile};

use crate::error::{HomewardError, Result};
use crate::num::{int, long, unsigned};
use crate::reason::say;
use crate::sync::RejectedEvent;
use crate::vault::Shared;

/// A bundle made here, ready to travel.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ExportedBundle {
    pub bundle_id: String,
    /// Events inside (certificate events and screening reports).
    pub events: i32,
    /// The bundle as a file (JSON, marked FOR OFFICIAL USE ONLY): save it to
    /// an SD card or USB stick. Sealed: only headquarters can read it.
    pub file_json: String,
    /// The same bundle as QR codes' texts: show them one after another, in
    /// a loop (5 a second), until the other device says it has them all.
    pub frames: Vec<String>,
    /// The fewest frames the reader needs, whichever they are.
    pub frames_needed: i32,
}

/// Where a bundle this device carries is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum CarriedBundleState {
    /// Goes to headquarters at this device's next sync.
    Pending,
    /// Headquarters took it; its receipt is in `receipts_file()`.
    Delivered,
    /// Headquarters refused it (`refusal` says why); it is not sent again.
    Refused,
}

/// A bundle this device carries for another.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CarriedBundle {
    pub bundle_id: String,
    pub sender_device: String,
    pub events: i32,
    pub state: CarriedBundleState,
    /// Headquarters' reason code when refused (`unknown_sender`, `altered`...).
    pub refusal: Option<String>,
}

/// What an import took in.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum ForwardImport {
    /// A colleague's bundle, now carried by this device.
    Bundle { bundle_id: String, sender_device: String, events: i32 },
    /// Headquarters' receipts for bundles this device made, carried back:
    /// what they acknowledge left the outbox.
    Receipts { applied: i32, accepted: i64, duplicates: i64, rejected: Vec<RejectedEvent>, ignored: i32 },
}

/// How far a QR reading has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct FrameProgress {
    /// Enough frames: call `ForwardService.import_frames`.
    pub complete: bool,
    /// Distinct frames read so far.
    pub received: i32,
    /// About how many are needed (a few more may be).
    pub needed: i32,
}

/// Reads a bundle's QR frames as the camera sees them: in any order,
/// repeats ignored, some missed. One reader per bundle.
#[derive(uniffi::Object)]
pub struct FrameReader {
    collector: Mutex<frames::FrameCollector>,
    /// The vault whose language the refusals are worded in (`ForwardService.frameReader()`);
    /// none for a reader made by its constructor (English).
    shared: Option<Arc<Shared>>,
}

#[uniffi::export]
impl FrameReader {
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(FrameReader { collector: Mutex::new(frames::FrameCollector::new()), shared: None })
    }

    /// Takes one scanned QR text. Throws `BundleRefused` (`not_a_frame`,
    /// `mixed_bundles`: a frame of another bundle; the frames read so far
    /// are kept). Fast.
    pub fn push(&self, frame: String) -> Result<FrameProgress> {
        let lang = self.shared.as_ref().map_or(homeward_core::screening::Lang::En, |s| s.language());
        let mut c = self.collector.lock().unwrap_or_else(|p| p.into_inner());
        let complete =
            c.push(&frame).map_err(|e| crate::reason::in_language(lang, || refusal(&ForwardError::Frames(e))))?;
        Ok(FrameProgress { complete, received: int(c.received()), needed: int(c.needed()) })
    }
}

/// Store and forward for one vault.
#[derive(uniffi::Object)]
pub struct ForwardService {
    shared: Arc<Shared>,
}

impl ForwardService {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        ForwardService { shared }
    }

    fn import(&self, v: &mut homeward_core::vault::Vault, file: ForwardFile) -> Result<ForwardImport> {
        let now = crate::screening::now_ms();
        match file {
            ForwardFile::Bundle(b) => {
                let i = forward::import(v, *b, now).map_err(forward_error)?;
                Ok(ForwardImport::Bundle {
                    bundle_id: i.bundle_id,
                    sender_device: i.sender_device,
                    events: int(i.events),
                })
            }
            ForwardFile::Receipts { receipts } => {
                let (mut applied, mut accepted, mut duplicates, mut ignored) = (0u32, 0u64, 0u64, 0u32);
                let mut rejected = Vec::new();
                for r in &receipts {
                    match forward::apply_receipt(v, r) {
                        Ok(a) => {
                            applied += u32::from(a.ignored == 0);
                            ignored += a.ignored as u32;
                            accepted += a.accepted;
                            duplicates += a.duplicates;
                            rejected.extend(
                                a.rejected.into_iter().map(|(event_id, reason)| RejectedEvent { event_id, reason }),
                            );
                        }
                        // Receipts of other devices' bundles travel in the same file.
                        Err(ForwardError::NotOurs) => ignored += 1,
                        Err(e) => return Err(forward_error(e)),
                    }
                }
                Ok(ForwardImport::Receipts {
                    applied: int(applied),
                    accepted: long(accepted),
                    duplicates: long(duplicates),
                    rejected,
                    ignored: int(ignored),
                })
            }
        }
    }
}

#[uniffi::export]
impl ForwardService {
    /// How many events wait to sync (what an export would carry, at most 1,000).
    pub fn waiting(&self) -> Result<i32> {
        self.shared.with(|v| Ok(int(forward::waiting(v).map_err(forward_error)?)))
    }

    /// Seals what waits to sync into one bundle for headquarters, as a file
    /// and as QR frames (`repair_percent` more frames than needed, 50 is a
    /// good default). The events stay here until headquarters' receipt
    /// comes back. Audited. Throws `BundleRefused` (`empty`,
    /// `no_sealing_key`: sync once first), `NotEnrolled`.
    pub fn export_bundle(&self, repair_percent: i32) -> Result<ExportedBundle> {
        let repair_percent: u32 = unsigned("repair_percent", repair_percent.into())?;
        self.shared.with(|v| {
            let b = forward::export(v, crate::screening::now_ms()).map_err(forward_error)?;
            self.shared.audit(v, AuditAction::Export, SubjectKind::Device, "", None)?;
            Ok(ExportedBundle {
                bundle_id: b.bundle_id.clone(),
                events: int(b.events),
                file_json: b.to_json(),
                frames: frames::encode(&b, repair_percent.min(400)),
                frames_needed: int(frames::source_frames(&b)),
            })
        })
    }

    /// A bundle this device carries, to pass on to another carrier (a relay
    /// over several hops), as a file and QR frames. It stays here too;
    /// headquarters takes it once. Throws `BundleRefused` (`not_carried`,
    /// or `replayed` once headquarters answered it).
    pub fn pass_on(&self, bundle_id: String, repair_percent: i32) -> Result<ExportedBundle> {
        let repair_percent: u32 = unsigned("repair_percent", repair_percent.into())?;
        self.shared.with(|v| {
            let b = forward::carried_bundle(v, &bundle_id).map_err(forward_error)?;
            Ok(ExportedBundle {
                bundle_id: b.bundle_id.clone(),
                events: int(b.events),
                file_json: b.to_json(),
                frames: frames::encode(&b, repair_percent.min(400)),
                frames_needed: int(frames::source_frames(&b)),
            })
        })
    }

    /// Imports a file: a colleague's bundle to carry, or receipts carried
    /// back for bundles this device made. Throws `BundleRefused` with the
    /// reason (`altered`, `malformed` for a truncated file, `replayed`,
    /// `other_office`, `other_headquarters`, `own_bundle`...); nothing is
    /// kept then.
    pub fn import_file(&self, contents: String) -> Result<ForwardImport> {
        let file = crate::reason::in_language(self.shared.language(), || {
            ForwardFile::parse(contents.as_bytes()).map_err(forward_error)
        })?;
        self.shared.with(|v| self.import(v, file))
    }

    /// Imports the bundle a `FrameReader` completed. Throws `BundleRefused`
    /// (`incomplete` while frames are missing, or the bundle's own reasons).
    pub fn import_frames(&self, reader: Arc<FrameReader>) -> Result<ForwardImport> {
        let finished = reader.collector.lock().unwrap_or_else(|p| p.into_inner()).finish();
        let bundle = crate::reason::in_language(self.shared.language(), || {
            finished.map_err(|e| refusal(&ForwardError::Frames(e)))
        })?;
        self.shared.with(|v| self.import(v, ForwardFile::Bundle(Box::new(bundle))))
    }

    /// A reader for a colleague's QR frames whose refusals are worded in the
    /// app's language (`HomewardVault.setLanguage`). Fast.
    pub fn frame_reader(&self) -> Arc<FrameReader> {
        Arc::new(FrameReader {
            collector: Mutex::new(frames::FrameCollector::new()),
            shared: Some(self.shared.clone()),
        })
    }

    /// The bundles this device carries, oldest first, with headquarters' answer.
    pub fn carried(&self) -> Result<Vec<CarriedBundle>> {
        self.shared.with(|v| {
            Ok(forward::carried(v)
                .map_err(forward_error)?
                .into_iter()
                .map(|(_, c)| {
                    let (state, refusal) = match c.state {
                        CarriedState::Pending => (CarriedBundleState::Pending, None),
                        CarriedState::Delivered { .. } => (CarriedBundleState::Delivered, None),
                        CarriedState::Refused { reason, .. } => (CarriedBundleState::Refused, Some(reason)),
                    };
                    CarriedBundle {
                        bundle_id: c.bundle_id,
                        sender_device: c.sender_device,
                        events: int(c.events),
                        state,
                        refusal,
                    }
                })
                .collect())
        })
    }

    /// Bundles made here whose receipt has not come back yet.
    pub fn waiting_for_receipt(&self) -> Result<i32> {
        self.shared.with(|v| Ok(int(forward::unreceipted(v).map_err(forward_error)?.len())))
    }

    /// Headquarters' receipts for the bundles this device carried, as a file
    /// to hand back to the devices that made them (`import_file` there).
    pub fn receipts_file(&self) -> Result<String> {
        self.shared.with(|v| {
            let receipts = forward::receipts_held(v).map_err(forward_error)?;
            Ok(serde_json::to_string_pretty(&serde_json::json!({ "receipts": receipts })).expect("serialises"))
        })
    }
}

fn forward_error(e: ForwardError) -> HomewardError {
    match e {
        ForwardError::Vault(v) => v.into(),
        ForwardError::Case(c) => c.into(),
        ForwardError::NotEnrolled => HomewardError::NotEnrolled { reason: crate::reason::not_enrolled() },
        other => refusal(&other),
    }
}

/// A refusal with its code and a sentence in the officer's language.
fn refusal(e: &ForwardError) -> HomewardError {
    let code = e.code().to_string();
    let reason = match e {
        ForwardError::Bundle(BundleError::Altered(_)) => say(
            "Пакет өзгөртүлгөн же бузулган: ал кабыл алынган жок.",
            "Пакет изменён или повреждён: он не принят.",
            "This bundle was altered or damaged: it was not taken.",
        ),
        ForwardError::Bundle(BundleError::Malformed(_)) => say(
            "Бул Homeward пакети эмес же ал кесилген: файлды кайра көчүрүңүз.",
            "Это не пакет Homeward или он обрезан: скопируйте файл заново.",
            "This is not a Homeward bundle, or it was cut short: copy the file again.",
        ),
        ForwardError::Bundle(BundleError::OtherHeadquarters) => say(
            "Бул пакет башка штабга арналган.",
            "Этот пакет предназначен для другого штаба.",
            "This bundle is for another headquarters.",
        ),
        ForwardError::Bundle(BundleError::OtherOffice { .. }) => say(
            "Пакетти башка бөлүмдүн түзмөгү жасаган: аны ошол бөлүмдүн түзмөгү гана жеткире алат.",
            "Пакет сделан устройством другого подразделения: передать его может только устройство того же подразделения.",
            "This bundle was made by a device of another office: only a device of that office can carry it.",
        ),
        ForwardError::Bundle(BundleError::NoSealingKey) => say(
            "Бул түзмөктө штабдын ачкычы азырынча жок: адегенде штаб менен бир жолу шайкештириңиз.",
            "На этом устройстве ещё нет ключа штаба: сначала один раз синхронизируйтесь со штабом.",
            "This device holds no key from headquarters yet: sync with headquarters once first.",
        ),
        ForwardError::Bundle(BundleError::Empty) => say(
            "Жөнөтүлө турган эч нерсе жок: баары жөнөтүлгөн.",
            "Передавать нечего: всё уже отправлено.",
            "Nothing waits to be sent.",
        ),
        ForwardError::Replayed(_) => say(
            "Бул пакет бул түзмөктө мурунтан эле бар: экинчи жолу сакталбайт.",
            "Этот пакет уже есть на этом устройстве: второй раз он не сохраняется.",
            "This bundle is already held on this device: it is not stored twice.",
        ),
        ForwardError::OwnBundle => say(
            "Бул пакет ушул түзмөктө жасалган: аны башка түзмөк жеткириши керек.",
            "Этот пакет сделан на этом устройстве: передать его должно другое устройство.",
            "This bundle was made on this device: another device must carry it.",
        ),
        ForwardError::Frames(frames::FrameError::MixedBundles { .. }) => say(
            "Эки башка пакеттин кадрлары окулду: бир пакет менен кайра баштаңыз.",
            "Считаны кадры двух разных пакетов: начните заново с одним пакетом.",
            "Frames of two different bundles were read: start again with one bundle.",
        ),
        ForwardError::Frames(frames::FrameError::Incomplete { received, needed }) => say(
            &format!("Кадрлар азырынча жетишсиз ({received} / {needed}): сканерлөөнү улантыңыз."),
            &format!("Кадров пока недостаточно ({received} из {needed}): продолжайте сканирование."),
            &format!("Not enough frames yet ({received} of {needed}): keep scanning."),
        ),
        ForwardError::Frames(frames::FrameError::NotAFrame(_)) => say(
            "Бул Homeward пакетинин коду эмес: кесиптештин экранындагы коддорду гана окуңуз.",
            "Это не код пакета Homeward: считывайте только коды с экрана коллеги.",
            "This is not a code of a Homeward bundle: read only the codes on your colleague's screen.",
        ),
        ForwardError::Frames(frames::FrameError::Corrupt(_)) => say(
            "Коддор окулду, бирок пакет чыккан жок: кайра баштап, баарын кайра окуңуз.",
            "Коды считаны, но пакет из них не собрался: начните заново и считайте всё ещё раз.",
            "The codes were read but do not make a bundle: start again and read them all once more.",
        ),
        ForwardError::Bundle(BundleError::Format(_)) => say(
            "Бул пакетти колдонмонун жаңы версиясы жасаган: колдонмону жаңыртыңыз.",
            "Этот пакет сделан более новой версией приложения: обновите приложение.",
            "This bundle was made by a newer version of the app: update the app.",
        ),
        ForwardError::NotOurs => say(
            "Бул тастыктама башка түзмөктүн пакети үчүн.",
            "Это подтверждение для пакета другого устройства.",
            "This receipt is for another device's bundle.",
        ),
        ForwardError::NotCarried => say(
            "Бул түзмөк мындай пакетти алып жүрбөйт.",
            "Это устройство не везёт такой пакет.",
            "This device carries no such bundle.",
        ),
        // Headquarters' own refusals (a key it does not hold, an unknown sender): its sentence.
        other => say(
            "Пакет кабыл алынган жок: аны жасаган түзмөктөн кайра сураңыз же супервайзерге билдириңиз.",
            "Пакет не принят: попросите его заново у сделавшего устройства или сообщите руководителю.",
            &format!("The bundle was not taken ({}): ask the device that made it again, or tell your supervisor.", other.code()),
        ),
    };
    HomewardError::BundleRefused { code, reason }
}

// The suspend versions (docs/BINDINGS.md, "Threads"): each is dropped if its
// coroutine is cancelled before it reached the vault, else runs to its end.
crate::background::suspend_versions!(ForwardService {
    /// `waiting` as a suspend call.
    fn waiting_async = waiting() -> Result<i32>;
    /// `export_bundle` as a suspend call.
    fn export_bundle_async = export_bundle(repair_percent: i32) -> Result<ExportedBundle>;
    /// `pass_on` as a suspend call.
    fn pass_on_async = pass_on(bundle_id: String, repair_percent: i32) -> Result<ExportedBundle>;
    /// `import_file` as a suspend call.
    fn import_file_async = import_file(contents: String) -> Result<ForwardImport>;
    /// `import_frames` as a suspend call.
    fn import_frames_async = import_frames(reader: Arc<FrameReader>) -> Result<ForwardImport>;
    /// `carried` as a suspend call.
    fn carried_async = carried() -> Result<Vec<CarriedBundle>>;
    /// `waiting_for_receipt` as a suspend call.
    fn waiting_for_receipt_async = waiting_for_receipt() -> Result<i32>;
    /// `receipts_file` as a suspend call.
    fn receipts_file_async = receipts_file() -> Result<String>;
});

crate::background::suspend_versions!(FrameReader {
    /// `push` as a suspend call, for the frame that completes the bundle
    /// (it decodes it all) when called from a camera callback.
    fn push_async = push(frame: String) -> Result<FrameProgress>;
});

/// The QR code of one frame (`ExportedBundle.frames[i]`), to draw as a
/// certificate's is: the core's one encoder for both. Fast (a few ms).
#[uniffi::export]
pub fn frame_qr(frame: String) -> Result<crate::certificate::QrCode> {
    let qr = homeward_core::certificate::qr_matrix(&frame).map_err(|e| HomewardError::input(e.to_string()))?;
    Ok(crate::certificate::QrCode { version: qr.version, width: int(qr.width), modules: qr.modules })
}
