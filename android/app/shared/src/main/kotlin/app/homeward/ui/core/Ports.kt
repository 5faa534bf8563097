package app.homeward.ui.core

/**
 * What the screens need from the core, as small interfaces over plain
 * Kotlin values: presenters never see a generated type, so a change in the
 * bindings is absorbed in one place ([RustVault] and friends), and a
 * presenter test can run against the real core or a fake alike.
 *
 * Every call may block (a sealed record read, a key derivation, the
 * network): presenters call them off the main thread.
 */
interface VaultPort {
    fun exists(): Boolean
    fun status(): LockStatus
    /** Creates the vault and leaves it unlocked. */
    fun create(pin: String)
    fun unlock(pin: String)
    fun lock()
    /** The language of the core's reasons and refusals outside a screening (a screening speaks its own). Fast. */
    fun setLanguage(language: Lang)
    fun screenings(): ScreeningsPort
    fun certificates(): CertificatesPort
    fun sync(): SyncPort
    fun settings(): SettingsPort
    fun forward(): ForwardPort
}

interface ScreeningsPort {
    /** [screeningDate] (YYYY-MM-DD): null for today; a fixed one for a screening taken down on paper first, and for tests. */
    fun start(crossingPoint: String, language: Lang, screeningDate: String? = null): ScreeningSessionPort
    fun resume(id: String): ScreeningSessionPort
    fun drafts(): List<ScreeningSummary>
}

interface ScreeningSessionPort {
    val id: String
    fun next(): Question?
    fun question(id: String): Question
    fun answer(questionId: String, answer: Answer): Progress
    fun skip(questionId: String): Progress
    fun progress(): Progress
    fun moveToPrivate(): Progress
    fun setLanguage(language: Lang)
    fun language(): Lang
    fun outcome(): Outcome
    fun finalise(): Outcome
    /** The core's consent question, button and confirmation for a referral to [partnerName], in the session's language. */
    fun consentWording(partnerName: String): ConsentText
    /** The consent to a referral to [partner], given today: the person's, or for a child the parent's or guardian's. */
    fun consentToReferral(partner: String, purpose: String)
    fun consents(): List<String>
    /** The partners the outcome's actions point to, from the referral directory (a child's: only those serving children); empty before the device holds one. */
    fun referralPartners(): List<Partner>
}

interface CertificatesPort {
    fun validate(form: RequestForm): List<FieldError>
    /** [photo]: the applicant's photo as the camera gave it (JPEG or PNG); sealed on the device, its hash in the request. */
    fun create(form: RequestForm, submit: Boolean, photo: ByteArray? = null): CaseSummary
    fun list(): List<CaseSummary>
    fun issue(caseId: String): IssuedCertificate
    fun verify(barcode: String): Verification
    fun recordEntry(barcode: String, crossingPoint: String): Verification
    fun device(): DeviceSummary
}

interface SyncPort {
    fun enrol(url: String, code: String, label: String, caPem: String?): String
    /** Blocks for the whole sync; [onProgress] is called on the syncing thread. */
    fun sync(onProgress: (SyncProgress) -> Unit): SyncReport
    fun cancel()
    /** Lifts the check-in lock with a code headquarters read out. A wrong code is counted (and audited) by the core; after three in a row each try waits longer ([ErrorKind.TooSoon]). Fast. */
    fun enterUnlockCode(code: String)
    /** Seconds before another unlock code may be tried (0: now). Fast. */
    fun unlockCodeRetryAfterSecs(): Long
    /** After a restore from an older copy: what the copy lacked, until the officer acknowledges it (null: nothing to show). Fast. */
    fun restoreReport(): List<LostItem>?
    /** The officer has read the restore report (audited); it is not shown again. Fast. */
    fun acknowledgeRestore()
}

interface SettingsPort {
    /** The crossing points headquarters lists (the compiled-in sample before enrolment), named in the vault's language. Fast. */
    fun crossingPoints(): List<CrossingPointItem>
    fun retentionDays(): Int
    fun setRetentionDays(days: Int)
    /** Re-checks [currentPin] (a wrong one counts as a failed unlock) and rewraps the vault's key under [newPin]. */
    fun changePin(currentPin: String, newPin: String)
    fun setDuress(currentPin: String, duress: String)
    fun clearDuress(currentPin: String)
}

/** Store and forward for a post without a link (docs/PROTOCOL.md, "Store and forward"). */
interface ForwardPort {
    /** Events waiting to sync: what a bundle made now would carry. */
    fun waiting(): Int
    /** Seals what waits into one bundle (a file and QR frames); the events stay until headquarters' receipt. Refusals: [ErrorKind.BundleRefused]. */
    fun export(): ForwardBundle
    /** The core's QR code of one frame, drawn as a certificate's. */
    fun qr(frame: String): QrMatrix
    /** A new reader for one bundle's frames, in any order, repeats ignored. */
    fun reader(): FrameReaderPort
    /** A colleague's bundle file to carry, or receipts carried back for this device's bundles. */
    fun importFile(contents: String): ForwardImported
    /** The bundles this device carries, with headquarters' answer. */
    fun carried(): List<CarriedItem>
}

interface FrameReaderPort {
    fun push(frame: String): FrameCount
    /** Imports the bundle the frames completed. */
    fun finish(): ForwardImported
}

/** A failure from the core, with the sentence the officer reads. */
class CoreException(
    val kind: ErrorKind,
    val reason: String,
    val attemptsRemaining: Int? = null,
    val retryAfterSecs: Long? = null,
    val questionId: String? = null,
    val problems: List<FieldError> = emptyList(),
    /** [ErrorKind.BundleRefused]'s code (`replayed`, `mixed_bundles`...), for the step's advice. */
    val code: String? = null,
) : Exception(reason)

/** The core's error variants a screen branches on; [Other] is shown as its reason. */
enum class ErrorKind {
    NoVault, AlreadyExists, WrongPin, TooSoon, Wiped, Locked, WeakPin, KeyStore, InvalidAnswer,
    RequestIncomplete, InvalidInput, NotAllowed, NotEnrolled, CheckInOverdue, Network, ServerRefused,
    Untrusted, Cancelled, DeviceRevoked, DeviceWiped, DiskFull, BundleRefused, Other,
}

enum class Lang(val code: String) { KY("ky"), RU("ru"), EN("en") }

data class LockStatus(
    val unlocked: Boolean,
    val attemptsRemaining: Int,
    val maxAttempts: Int,
    val retryAfterSecs: Long,
    /** The last unlock was cut off mid-check (power, a killed app): it counted as a try. */
    val lastAttemptInterrupted: Boolean = false,
)

/** A place a screening may name: [id] is what the screening records. */
data class CrossingPointItem(val id: String, val name: String, val region: String)

data class ScreeningSummary(val id: String, val crossingPoint: String, val date: String, val isFinal: Boolean)

data class Option(val id: String, val text: String)

sealed interface AnswerType {
    data object YesNo : AnswerType
    data class Single(val options: List<Option>) : AnswerType
    data class Multiple(val options: List<Option>) : AnswerType
    data class Text(val maxLen: Int?) : AnswerType
    /** [integer]: whole numbers only; the core refuses 2.5 with a reason. */
    data class Number(val min: Double?, val max: Double?, val integer: Boolean = false) : AnswerType
    data object Date : AnswerType
}

enum class YesNo { YES, NO, UNKNOWN }

sealed interface Answer {
    data class Tri(val value: YesNo) : Answer
    data class Choice(val id: String) : Answer
    data class Choices(val ids: List<String>) : Answer
    data class Text(val text: String) : Answer
    data class Number(val value: Double) : Answer
    data class Date(val isoDate: String) : Answer
}

data class Question(
    val id: String,
    val position: Int,
    val total: Int,
    val section: String,
    val text: String,
    val travellerText: String?,
    val help: String?,
    val required: Boolean,
    val type: AnswerType,
    val hint: String,
    val privateOnly: Boolean,
)

/**
 * [done] of [total]: the questions this path asks (the core's count, hidden
 * ones not counted), answered or skipped; full at the last one.
 */
data class Progress(
    val answered: Int,
    val skipped: Int,
    val done: Int,
    val total: Int,
    val canFinalise: Boolean,
    val inPrivateInterview: Boolean,
    val leftForPrivate: Int,
    val isFinal: Boolean,
)

enum class Verdict { NO_INDICATORS, FURTHER_INTERVIEW, PRESUMED_VICTIM }

data class Why(val element: String, val answers: List<String>)

/** The core's words for a referral consent; [forChild]: asked of the parent or guardian. */
data class ConsentText(val question: String, val agree: String, val recorded: String, val forChild: Boolean)
data class Action(val text: String, val basis: String)

data class Outcome(
    val verdict: Verdict,
    val text: String,
    val detail: String,
    val childNote: String?,
    val consentNote: String?,
    val exploitation: List<String>,
    val why: List<Why>,
    val actions: List<Action>,
    val disclaimer: String,
    val isFinal: Boolean,
)

/** The request form as the officer fills it; the core validates it. */
data class RequestForm(
    val surname: String = "",
    val givenName: String = "",
    val patronymic: String = "",
    val dateOfBirth: String = "",
    val placeOfBirth: String = "",
    val sex: String = "",
    val oldPassport: String = "",
    val route: String = "",
    val travelDate: String = "",
    val assessment: String = "",
    val trafficking: Boolean = true,
    /** Blank: the enrolled device's office (the core fills it). */
    val issuingOffice: String = "",
)

/** [field] is the core's name (`applicant.surname`); [message] its sentence. */
data class FieldError(val field: String, val message: String)

data class CaseSummary(
    val caseId: String,
    val state: String,
    val certificateNumber: String?,
    val inConflict: Boolean,
    val trafficking: Boolean,
)

data class IssuedCertificate(
    val number: String,
    val holder: String,
    val expiryDate: String,
    val barcode: String,
    val qrWidth: Int,
    /** Row-major, `true` = dark. */
    val qrModules: List<Boolean>,
)

enum class Refusal { BAD_SIGNATURE, REVOKED, EXPIRED, ALREADY_USED, UNREADABLE, NO_TRUST_LIST, LIST_TOO_OLD, OTHER }

sealed interface Verification {
    data class Valid(
        val number: String,
        val holder: String,
        val dateOfBirth: String,
        val issuingOffice: String,
        val expiryDate: String,
        val children: Int,
        val warnings: List<String>,
        val trustListAgeHours: Long,
    ) : Verification

    data class Refused(val reason: Refusal, val explanation: String) : Verification
}

data class DeviceSummary(
    val enrolled: Boolean,
    val office: String?,
    val role: String?,
    val serverUrl: String?,
    val checkInDays: Int,
    val lastCheckInUnixMs: Long?,
    /** The core's check-in rule: new work is refused until a sync or an unlock code. */
    val checkInLocked: Boolean = false,
    /** Headquarters' name for this device (null before enrolment): what the officer reads out when asking for an unlock code. */
    val deviceId: String? = null,
)

data class SyncProgress(val eventsSent: Long, val eventsReceived: Long, val bytesSent: Long, val bytesReceived: Long)

/** A case or screening made after the older copy a vault was restored from: ids and a date, never a name. */
data class LostItem(val isCase: Boolean, val id: String, val madeDate: String, val recovered: Boolean)

data class SyncReport(val accepted: Long, val rejected: Int, val received: Long, val rollbackDetected: Boolean)

/** A partner of the referral directory, as the outcome lists it: who to call, and when. */
data class Partner(val id: String, val name: String, val phone: String?, val hours: String, val servesChildren: Boolean)

data class ForwardBundle(val bundleId: String, val events: Int, val frames: List<String>, val fileJson: String)

/** A QR code's modules, row-major, `true` = dark. */
data class QrMatrix(val width: Int, val modules: List<Boolean>)

/** How far a reading has come: [received] distinct frames of about [needed]. */
data class FrameCount(val received: Int, val needed: Int, val complete: Boolean)

sealed interface ForwardImported {
    /** A colleague's bundle, now carried: it goes to headquarters with this device's next sync. */
    data class Bundle(val events: Int) : ForwardImported
    /** Receipts for this device's bundles: [applied] bundles acknowledged, their [accepted] events left the outbox. */
    data class Receipts(val applied: Int, val accepted: Long) : ForwardImported
}

enum class CarriedState { PENDING, DELIVERED, REFUSED }

data class CarriedItem(val bundleId: String, val events: Int, val state: CarriedState, val refusal: String?)

/** The core's refusal of a bundle, its frames or a receipt: [code] for the advice, [reason] to read. */
data class BundleRefusal(val code: String, val reason: String)
