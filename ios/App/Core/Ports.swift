// What the screens need from the core, as small protocols over plain Swift
// values: view models never see a generated type, so a change in the
// bindings is absorbed in one place (RustVault.swift), exactly as
// android/app/shared/.../core/Ports.kt does for Kotlin. Names mirror the
// Kotlin ones; scripts/check-ios-parity compares them.
//
// Every call may block (a sealed record read, a key derivation, the
// network): view models call them off the main actor (Background.swift).

import Foundation

protocol VaultPort: AnyObject, Sendable {
    /// The language of the core's reasons and refusals outside a screening (a screening speaks its own). Fast.
    func setLanguage(_ language: Lang)
    func exists() -> Bool
    func status() throws -> LockStatus
    /// Creates the vault and leaves it unlocked.
    func create(pin: String) throws
    func unlock(pin: String) async throws
    func lock() throws
    func screenings() throws -> ScreeningsPort
    func certificates() throws -> CertificatesPort
    func sync() throws -> SyncPort
    func settings() throws -> SettingsPort
    func forward() throws -> ForwardPort
}

protocol ScreeningsPort: Sendable {
    /// `screeningDate` (YYYY-MM-DD): nil for today; a fixed one for a screening taken down on paper first, and for tests.
    func start(crossingPoint: String, language: Lang, screeningDate: String?) throws -> ScreeningSessionPort
    func resume(id: String) throws -> ScreeningSessionPort
    func drafts() throws -> [ScreeningSummary]
}

protocol ScreeningSessionPort: AnyObject, Sendable {
    var id: String { get }
    func next() throws -> Question?
    func question(id: String) throws -> Question
    func answer(questionId: String, answer: Answer) throws -> Progress
    func skip(questionId: String) throws -> Progress
    func progress() throws -> Progress
    func moveToPrivate() throws -> Progress
    func setLanguage(_ language: Lang)
    func language() -> Lang
    func outcome() throws -> Outcome
    func finalise() throws -> Outcome
    /// The core's consent question, button and confirmation for a referral to `partnerName`, in the session's language.
    func consentWording(partnerName: String) throws -> ConsentText
    /// The consent to a referral to `partner`, given today: the person's, or for a child the parent's or guardian's.
    func consentToReferral(partner: String, purpose: String) throws
    func consents() throws -> [String]
    /// The partners the outcome's actions point to, from the referral directory (a child's: only those serving children); empty before the device holds one.
    func referralPartners() throws -> [Partner]
}

/// Store and forward for a post without a link (docs/PROTOCOL.md, "Store and forward").
protocol ForwardPort: Sendable {
    /// Events waiting to sync: what a bundle made now would carry.
    func waiting() throws -> Int
    /// Seals what waits into one bundle (a file and QR frames); refusals are `bundleRefused`.
    func export() throws -> ForwardBundle
    /// The core's QR code of one frame, drawn as a certificate's.
    func qr(frame: String) throws -> QrMatrix
    /// A new reader for one bundle's frames, in any order, repeats ignored.
    func reader() -> FrameReaderPort
    /// A colleague's bundle file to carry, or receipts carried back for this device's bundles.
    func importFile(contents: String) throws -> ForwardImported
    func carried() throws -> [CarriedItem]
}

protocol FrameReaderPort: Sendable {
    func push(frame: String) throws -> FrameCount
    /// Imports the bundle the frames completed.
    func finish() throws -> ForwardImported
}

protocol CertificatesPort: Sendable {
    func validate(form: RequestForm) throws -> [FieldError]
    /// `photo`: the applicant's photo as the camera gave it (JPEG or PNG); sealed on the device, its hash in the request.
    func create(form: RequestForm, submit: Bool, photo: Data?) throws -> CaseSummary
    func list() throws -> [CaseSummary]
    func issue(caseId: String) throws -> IssuedCertificate
    func verify(barcode: String) throws -> Verification
    func recordEntry(barcode: String, crossingPoint: String) throws -> Verification
    func device() throws -> DeviceSummary
}

protocol SyncPort: Sendable {
    func enrol(url: String, code: String, label: String, caPem: String?) async throws -> String
    /// Runs the whole sync; `onProgress` is called on the library's syncing thread.
    func sync(onProgress: @escaping @Sendable (SyncProgress) -> Void) async throws -> SyncReport
    func cancel()
    /// Lifts the check-in lock with a code headquarters read out; the core counts wrong ones (`tooSoon` after three).
    func enterUnlockCode(_ code: String) throws
    /// Seconds before another unlock code may be tried (0: now).
    func unlockCodeRetryAfterSecs() throws -> Int64
    /// After a restore from an older copy: what the copy lacked, until acknowledged (nil: nothing to show).
    func restoreReport() throws -> [LostItem]?
    /// The officer has read the restore report (audited); it is not shown again.
    func acknowledgeRestore() throws
}

protocol SettingsPort: Sendable {
    /// The crossing points headquarters lists (the compiled-in sample before enrolment), named in the vault's language.
    func crossingPoints() throws -> [CrossingPointItem]
    func retentionDays() throws -> Int
    func setRetentionDays(_ days: Int) throws
    /// Re-checks `currentPin` (a wrong one counts as a failed unlock) and rewraps the vault's key under `newPin`.
    func changePin(currentPin: String, newPin: String) throws
    func setDuress(currentPin: String, duress: String) throws
    func clearDuress(currentPin: String) throws
}

/// A failure from the core, with the sentence the officer reads.
struct CoreException: Error, Equatable, Sendable {
    var kind: ErrorKind
    var reason: String
    var attemptsRemaining: Int? = nil
    var retryAfterSecs: Int64? = nil
    var questionId: String? = nil
    var problems: [FieldError] = []
    /// `bundleRefused`'s code (`replayed`, `mixed_bundles`...), for the step's advice.
    var code: String? = nil
}

/// The core's error variants a screen branches on; `other` is shown as its reason.
enum ErrorKind: Sendable {
    case noVault, alreadyExists, wrongPin, tooSoon, wiped, locked, weakPin, keyStore, invalidAnswer,
         requestIncomplete, invalidInput, notAllowed, notEnrolled, checkInOverdue, network, serverRefused,
         untrusted, cancelled, deviceRevoked, deviceWiped, diskFull, bundleRefused, other
}

enum Lang: String, CaseIterable, Sendable {
    case ky, ru, en
    var code: String { rawValue }
}

struct LockStatus: Equatable, Sendable {
    var unlocked: Bool
    var attemptsRemaining: Int
    var maxAttempts: Int
    var retryAfterSecs: Int64
    /// The last unlock was cut off mid-check (power, a killed app): it counted as a try.
    var lastAttemptInterrupted: Bool = false
}

struct ScreeningSummary: Equatable, Sendable {
    var id: String
    var crossingPoint: String
    var date: String
    var isFinal: Bool
}

struct Option: Equatable, Sendable {
    var id: String
    var text: String
}

enum AnswerType: Equatable, Sendable {
    case yesNo
    case single(options: [Option])
    case multiple(options: [Option])
    case text(maxLen: Int?)
    /// `integer`: whole numbers only; the core refuses 2.5 with a reason.
    case number(min: Double?, max: Double?, integer: Bool)
    case date
}

enum YesNo: Sendable {
    case yes, no, unknown
}

enum Answer: Equatable, Sendable {
    case tri(value: YesNo)
    case choice(id: String)
    case choices(ids: [String])
    case text(text: String)
    case number(value: Double)
    case date(isoDate: String)
}

struct Question: Equatable, Sendable {
    var id: String
    var position: Int
    var total: Int
    var section: String
    var text: String
    var travellerText: String?
    var help: String?
    var required: Bool
    var type: AnswerType
    var hint: String
    var privateOnly: Bool
}

/// `done` of `total`: the questions this path asks (the core's count, hidden
/// ones not counted), answered or skipped; full at the last one.
struct Progress: Equatable, Sendable {
    var answered: Int
    var skipped: Int
    var done: Int
    var total: Int
    var canFinalise: Bool
    var inPrivateInterview: Bool
    var leftForPrivate: Int
    var isFinal: Bool
}

enum Verdict: Sendable {
    case noIndicators, furtherInterview, presumedVictim
}

struct Why: Equatable, Sendable {
    var element: String
    var answers: [String]
}

struct Action: Equatable, Sendable {
    var text: String
    var basis: String
}

struct Outcome: Equatable, Sendable {
    var verdict: Verdict
    var text: String
    var detail: String
    var childNote: String?
    var consentNote: String?
    var exploitation: [String]
    var why: [Why]
    var actions: [Action]
    var disclaimer: String
    var isFinal: Bool
}

/// The request form as the officer fills it; the core validates it.
struct RequestForm: Equatable, Sendable {
    var surname = ""
    var givenName = ""
    var patronymic = ""
    var dateOfBirth = ""
    var placeOfBirth = ""
    var sex = ""
    var oldPassport = ""
    var route = ""
    var travelDate = ""
    var assessment = ""
    var trafficking = true
    /// Blank: the enrolled device's office (the core fills it).
    var issuingOffice = ""
}

/// `field` is the core's name (`applicant.surname`); `message` its sentence.
struct FieldError: Equatable, Sendable {
    var field: String
    var message: String
}

struct CaseSummary: Equatable, Sendable {
    var caseId: String
    var state: String
    var certificateNumber: String?
    var inConflict: Bool
    var trafficking: Bool
}

struct IssuedCertificate: Equatable, Sendable {
    var number: String
    var holder: String
    var expiryDate: String
    var barcode: String
    var qrWidth: Int
    /// Row-major, `true` = dark.
    var qrModules: [Bool]
}

enum Refusal: Sendable {
    case badSignature, revoked, expired, alreadyUsed, unreadable, noTrustList, listTooOld, other
}

enum Verification: Equatable, Sendable {
    case valid(number: String, holder: String, dateOfBirth: String, issuingOffice: String, expiryDate: String,
               children: Int, warnings: [String], trustListAgeHours: Int64)
    case refused(reason: Refusal, explanation: String)
}

/// A place a screening may name: `id` is what the screening records.
struct CrossingPointItem: Equatable, Sendable {
    var id: String
    var name: String
    var region: String
}

struct DeviceSummary: Equatable, Sendable {
    var enrolled: Bool
    var office: String?
    var role: String?
    var serverUrl: String?
    var checkInDays: Int
    var lastCheckInUnixMs: Int64?
    /// The core's check-in rule: new work is refused until a sync or an unlock code.
    var checkInLocked: Bool = false
    /// Headquarters' name for this device (nil before enrolment), read out when asking for an unlock code.
    var deviceId: String? = nil
}

/// A case or screening made after the older copy a vault was restored from: ids and a date, never a name.
struct LostItem: Equatable, Sendable {
    var isCase: Bool
    var id: String
    var madeDate: String
    var recovered: Bool
}

struct SyncProgress: Equatable, Sendable {
    var eventsSent: Int64
    var eventsReceived: Int64
    var bytesSent: Int64
    var bytesReceived: Int64
}

struct SyncReport: Equatable, Sendable {
    var accepted: Int64
    var rejected: Int
    var received: Int64
    var rollbackDetected: Bool
}

/// The core's words for a referral consent; `forChild`: asked of the parent or guardian.
struct ConsentText: Equatable, Sendable {
    var question: String
    var agree: String
    var recorded: String
    var forChild: Bool
}

/// A partner of the referral directory, as the outcome lists it: who to call, and when.
struct Partner: Equatable, Sendable {
    var id: String
    var name: String
    var phone: String?
    var hours: String
    var servesChildren: Bool
}

struct ForwardBundle: Equatable, Sendable {
    var bundleId: String
    var events: Int
    var frames: [String]
    var fileJson: String
}

/// A QR code's modules, row-major, `true` = dark.
struct QrMatrix: Equatable, Sendable {
    var width: Int
    var modules: [Bool]
}

/// How far a reading has come: `received` distinct frames of about `needed`.
struct FrameCount: Equatable, Sendable {
    var received: Int
    var needed: Int
    var complete: Bool
}

enum ForwardImported: Equatable, Sendable {
    /// A colleague's bundle, now carried: it goes to headquarters with this device's next sync.
    case bundle(events: Int)
    /// Receipts for this device's bundles: `applied` bundles acknowledged, their `accepted` events left the outbox.
    case receipts(applied: Int, accepted: Int64)
}

enum CarriedState: Sendable {
    case pending, delivered, refused
}

struct CarriedItem: Equatable, Sendable {
    var bundleId: String
    var events: Int
    var state: CarriedState
    var refusal: String?
}

/// The core's refusal of a bundle, its frames or a receipt: `code` for the advice, `reason` to read.
struct BundleRefusal: Equatable, Sendable {
    var code: String
    var reason: String
}
