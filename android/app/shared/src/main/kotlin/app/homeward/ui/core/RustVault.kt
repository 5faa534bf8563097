package app.homeward.ui.core

import app.homeward.ffi.AnswerInput
import app.homeward.ffi.AnswerKind
import app.homeward.ffi.ApplicantData
import app.homeward.ffi.CarriedBundleState
import app.homeward.ffi.CaseDetails
import app.homeward.ffi.CaseListItem
import app.homeward.ffi.CertificateRequestData
import app.homeward.ffi.CitizenshipEvidenceData
import app.homeward.ffi.ConsentGiverKind
import app.homeward.ffi.DocumentLossKind
import app.homeward.ffi.ForwardImport
import app.homeward.ffi.FrameReader
import app.homeward.ffi.HomewardException
import app.homeward.ffi.HomewardVault
import app.homeward.ffi.LostItemKind
import app.homeward.ffi.Language
import app.homeward.ffi.NewScreeningInput
import app.homeward.ffi.PlatformKeyStore
import app.homeward.ffi.QuestionView
import app.homeward.ffi.ReferralBasisData
import app.homeward.ffi.RefusalReason
import app.homeward.ffi.ScreeningFilter
import app.homeward.ffi.ScreeningOutcomeView
import app.homeward.ffi.ScreeningProgress
import app.homeward.ffi.ScreeningSession
import app.homeward.ffi.SexKind
import app.homeward.ffi.SyncProgressInfo
import app.homeward.ffi.SyncProgressListener
import app.homeward.ffi.TraffickingData
import app.homeward.ffi.VaultSettings
import app.homeward.ffi.VerificationResult
import app.homeward.ffi.VerdictKind
import app.homeward.ffi.YesNoAnswer
import app.homeward.ffi.frameQr
import app.homeward.ffi.vaultExists

/**
 * The one place that knows the generated bindings: maps their records to
 * the app's values and their exceptions to [CoreException]. Keep it thin:
 * no rule lives here, only translation.
 *
 * [settings] are the core's defaults in the app; tests pass light ones.
 */
class RustVault(
    private val dir: String,
    private val keyStore: PlatformKeyStore?,
    private val settings: VaultSettings = VaultSettings(),
) : VaultPort {
    @Volatile private var vault: HomewardVault? = null
    @Volatile private var language: Lang? = null

    private fun opened(): HomewardVault = vault ?: core { HomewardVault.open(dir, keyStore) }.also { spoken(it) }

    /** Keeps [vault] and tells it the app's language, so a reason or a refusal is worded in it. */
    private fun spoken(v: HomewardVault) {
        vault = v
        language?.let { v.setLanguage(it.toFfi()) }
    }

    override fun setLanguage(language: Lang) {
        this.language = language
        vault?.setLanguage(language.toFfi())
    }

    override fun exists(): Boolean = vaultExists(dir)

    override fun status(): LockStatus = core {
        opened().status().let {
            LockStatus(it.unlocked, it.attemptsRemaining, it.maxAttempts, it.retryAfterSecs, it.lastAttemptInterrupted)
        }
    }

    override fun create(pin: String) {
        spoken(core { HomewardVault.create(dir, pin, settings, keyStore) })
    }

    override fun unlock(pin: String) = core { opened().unlock(pin) }

    override fun lock() = core { vault?.lock() ?: Unit }

    /** Closes the database files (a backup or a restore of the folder; the app's end). The next call opens it again. */
    fun close() {
        vault?.closeVault()
        vault = null
    }

    override fun screenings(): ScreeningsPort = RustScreenings(opened())
    override fun certificates(): CertificatesPort = RustCertificates(opened())
    override fun sync(): SyncPort = RustSync(opened())
    override fun settings(): SettingsPort = RustSettings(opened())
    override fun forward(): ForwardPort = RustForward(opened())
}

/** Runs a core call and turns its typed error into a [CoreException]. */
internal inline fun <T> core(block: () -> T): T = try {
    block()
} catch (e: HomewardException) {
    throw e.toCore()
}

internal fun HomewardException.toCore(): CoreException = when (this) {
    is HomewardException.WrongPassphrase ->
        CoreException(ErrorKind.WrongPin, reason, attemptsRemaining, retryAfterSecs)
    is HomewardException.TooSoon ->
        CoreException(ErrorKind.TooSoon, reason, attemptsRemaining, retryAfterSecs)
    is HomewardException.InvalidAnswer -> CoreException(ErrorKind.InvalidAnswer, reason, questionId = questionId)
    is HomewardException.RequestIncomplete ->
        CoreException(ErrorKind.RequestIncomplete, reason, problems = problems.map { FieldError(it.field, it.message) })
    is HomewardException.NoVault -> CoreException(ErrorKind.NoVault, reason)
    is HomewardException.AlreadyExists -> CoreException(ErrorKind.AlreadyExists, reason)
    is HomewardException.Wiped -> CoreException(ErrorKind.Wiped, reason)
    is HomewardException.Locked -> CoreException(ErrorKind.Locked, reason)
    is HomewardException.Closed -> CoreException(ErrorKind.Locked, reason)
    is HomewardException.WeakPassphrase -> CoreException(ErrorKind.WeakPin, reason)
    is HomewardException.KeyStore -> CoreException(ErrorKind.KeyStore, reason)
    is HomewardException.InvalidInput -> CoreException(ErrorKind.InvalidInput, reason)
    is HomewardException.NotAllowed -> CoreException(ErrorKind.NotAllowed, reason)
    is HomewardException.NotEnrolled -> CoreException(ErrorKind.NotEnrolled, reason)
    // Enrolling an enrolled device: nothing to do, said as a refused step.
    is HomewardException.AlreadyEnrolled -> CoreException(ErrorKind.NotAllowed, reason)
    // A machine-readable zone that does not read: ask for a rescan or typing.
    is HomewardException.MrzRefused -> CoreException(ErrorKind.InvalidInput, reason)
    // A store-and-forward bundle, its frames or a receipt refused: the code says which advice.
    is HomewardException.BundleRefused -> CoreException(ErrorKind.BundleRefused, reason, code = code)
    is HomewardException.CheckInOverdue -> CoreException(ErrorKind.CheckInOverdue, reason)
    is HomewardException.Network -> CoreException(ErrorKind.Network, reason)
    is HomewardException.ServerRefused -> CoreException(ErrorKind.ServerRefused, reason)
    is HomewardException.Untrusted -> CoreException(ErrorKind.Untrusted, reason)
    is HomewardException.Cancelled -> CoreException(ErrorKind.Cancelled, reason)
    is HomewardException.DeviceRevoked -> CoreException(ErrorKind.DeviceRevoked, reason)
    is HomewardException.DeviceWiped -> CoreException(ErrorKind.DeviceWiped, reason)
    is HomewardException.DiskFull -> CoreException(ErrorKind.DiskFull, reason)
    is HomewardException.Tampered, is HomewardException.NotFound, is HomewardException.UpdateRequired,
    is HomewardException.JustificationRequired, is HomewardException.ScreeningFinalised,
    is HomewardException.ScreeningIncomplete, is HomewardException.Storage, is HomewardException.Internal,
    -> CoreException(ErrorKind.Other, reasonOf(this))
}

private fun reasonOf(e: HomewardException): String = when (e) {
    is HomewardException.Tampered -> e.reason
    is HomewardException.NotFound -> e.reason
    is HomewardException.UpdateRequired -> e.reason
    is HomewardException.JustificationRequired -> e.reason
    is HomewardException.ScreeningFinalised -> e.reason
    is HomewardException.ScreeningIncomplete -> e.reason
    is HomewardException.Storage -> e.reason
    is HomewardException.Internal -> e.reason
    else -> e.message ?: ""
}

internal fun Lang.toFfi(): Language = when (this) {
    Lang.KY -> Language.KY
    Lang.RU -> Language.RU
    Lang.EN -> Language.EN
}

internal fun Language.toApp(): Lang = when (this) {
    Language.KY -> Lang.KY
    Language.RU -> Lang.RU
    Language.EN -> Lang.EN
}

private class RustScreenings(private val vault: HomewardVault) : ScreeningsPort {
    override fun start(crossingPoint: String, language: Lang, screeningDate: String?): ScreeningSessionPort = core {
        RustSession(
            vault.screenings().start(
                NewScreeningInput(crossingPoint = crossingPoint, language = language.toFfi(), screeningDate = screeningDate),
            ),
        )
    }

    override fun resume(id: String): ScreeningSessionPort = core { RustSession(vault.screenings().open(id, null)) }

    override fun drafts(): List<ScreeningSummary> = core {
        vault.screenings().list(ScreeningFilter()).map { ScreeningSummary(it.id, it.crossingPoint, it.screeningDate, it.isFinal) }
    }
}

private class RustSession(private val s: ScreeningSession) : ScreeningSessionPort {
    override val id: String = s.id()
    override fun next(): Question? = core { s.nextQuestion()?.toApp() }
    override fun question(id: String): Question = core { s.question(id).toApp() }
    override fun answer(questionId: String, answer: Answer): Progress = core { s.answer(questionId, answer.toFfi()).toApp() }
    override fun skip(questionId: String): Progress = core { s.skip(questionId).toApp() }
    override fun progress(): Progress = core { s.progress().toApp() }
    override fun moveToPrivate(): Progress = core { s.moveToPrivate(null).toApp() }
    override fun setLanguage(language: Lang) = core { s.setLanguage(language.toFfi()) }
    override fun language(): Lang = core { s.language().toApp() }
    override fun outcome(): Outcome = core { s.outcome().toApp() }
    override fun finalise(): Outcome = core { s.finalise().toApp() }
    override fun consentWording(partnerName: String): ConsentText = core {
        s.consentWording(partnerName).let { ConsentText(it.question, it.agree, it.recorded, it.forChild) }
    }
    override fun consentToReferral(partner: String, purpose: String) = core {
        // A child's consent is the parent's or guardian's (the core's rule decides who is a child).
        val giver = if (s.consentWording(partner).forChild) ConsentGiverKind.PARENT_OR_GUARDIAN else ConsentGiverKind.THE_PERSON
        s.addConsent(partner, purpose, null, ReferralBasisData.Consent(giver))
        Unit
    }
    override fun consents(): List<String> = core { s.consents().filter { it.revokedOn == null }.map { it.partner } }
    override fun referralPartners(): List<Partner> = core {
        // No directory yet (never synced): nothing to list, not an error on the outcome.
        val listed = try { s.referralPartners() } catch (e: HomewardException.NotFound) { emptyList() }
        listed.map { Partner(it.id, it.name, it.phone, it.hours, it.servesChildren) }
    }
}

private fun QuestionView.toApp() = Question(
    id = id,
    position = position,
    total = total,
    section = sectionTitle,
    text = text,
    travellerText = travellerText,
    help = help,
    required = required,
    type = when (val k = kind) {
        AnswerKind.YesNo -> AnswerType.YesNo
        is AnswerKind.SingleChoice -> AnswerType.Single(k.options.map { Option(it.id, it.text) })
        is AnswerKind.MultipleChoice -> AnswerType.Multiple(k.options.map { Option(it.id, it.text) })
        is AnswerKind.Text -> AnswerType.Text(k.maxLen)
        is AnswerKind.Number -> AnswerType.Number(k.min, k.max, k.integer)
        AnswerKind.Date -> AnswerType.Date
    },
    hint = hint,
    privateOnly = privateInterviewOnly,
)

private fun Answer.toFfi(): AnswerInput = when (this) {
    is Answer.Tri -> AnswerInput.YesNo(
        when (value) {
            YesNo.YES -> YesNoAnswer.YES
            YesNo.NO -> YesNoAnswer.NO
            YesNo.UNKNOWN -> YesNoAnswer.UNKNOWN
        },
    )
    is Answer.Choice -> AnswerInput.Choice(id)
    is Answer.Choices -> AnswerInput.Choices(ids)
    is Answer.Text -> AnswerInput.Text(text)
    is Answer.Number -> AnswerInput.Number(value)
    is Answer.Date -> AnswerInput.Date(isoDate)
}

private fun ScreeningProgress.toApp() = Progress(
    answered = answered,
    skipped = skipped,
    done = doneQuestions,
    total = totalQuestions,
    canFinalise = canFinalise,
    inPrivateInterview = inPrivateInterview,
    leftForPrivate = leftForPrivate.size,
    isFinal = isFinal,
)

private fun ScreeningOutcomeView.toApp() = Outcome(
    verdict = when (verdict) {
        VerdictKind.NO_INDICATORS -> Verdict.NO_INDICATORS
        VerdictKind.FURTHER_INTERVIEW -> Verdict.FURTHER_INTERVIEW
        VerdictKind.PRESUMED_VICTIM -> Verdict.PRESUMED_VICTIM
    },
    text = verdictText,
    detail = verdictDetail,
    childNote = childNote,
    consentNote = consentNote,
    exploitation = exploitation,
    why = why.map { Why(it.element, it.answers) },
    actions = actions.map { Action(it.text, it.basis) },
    disclaimer = disclaimer,
    isFinal = isFinal,
)

private class RustCertificates(private val vault: HomewardVault) : CertificatesPort {
    private val certs get() = vault.certificates()

    /**
     * Every problem at once. The core reads the dates before it validates,
     * so a malformed date is an InvalidInput that names its field and hides
     * the other problems: that field gets the core's message, the core is
     * asked again with a placeholder date there, and messages about the
     * placeholder are dropped. No rule is decided here.
     */
    override fun validate(form: RequestForm): List<FieldError> {
        var probe = form
        val dateErrors = mutableListOf<FieldError>()
        repeat(3) {
            try {
                val problems = core { certs.validateRequest(probe.toFfi()) }
                    .map { FieldError(it.field, it.message.withoutField(it.field)) }
                    .filter { p -> dateErrors.none { it.field == p.field } }
                return dateErrors + problems
            } catch (e: CoreException) {
                if (e.kind != ErrorKind.InvalidInput) throw e
                val field = fieldOf(e.reason)
                dateErrors += FieldError(field, e.reason.withoutField(field))
                probe = when (field) {
                    "applicant.date_of_birth" -> probe.copy(dateOfBirth = PLACEHOLDER_DATE)
                    "travel_date" -> probe.copy(travelDate = PLACEHOLDER_DATE)
                    else -> return dateErrors
                }
            }
        }
        return dateErrors
    }

    override fun create(form: RequestForm, submit: Boolean, photo: ByteArray?): CaseSummary =
        core { certs.createRequest(form.toFfi(), submit, photo).toSummary() }
    override fun list(): List<CaseSummary> = core { certs.list().map { it.toSummary() } }
    override fun issue(caseId: String): IssuedCertificate = core {
        val issued = certs.issue(caseId, null)
        val c = issued.case.certificate
        val a = issued.case.request?.applicant
        IssuedCertificate(
            number = c?.number ?: "",
            holder = listOfNotNull(a?.surname, a?.givenName).joinToString(" "),
            expiryDate = c?.expiryDate ?: "",
            barcode = issued.barcode,
            qrWidth = issued.qr.width,
            qrModules = issued.qr.modules,
        )
    }
    override fun verify(barcode: String): Verification = core { certs.verify(barcode, null, null).toApp() }
    override fun recordEntry(barcode: String, crossingPoint: String): Verification = core { certs.recordEntry(barcode, crossingPoint).toApp() }
    override fun device(): DeviceSummary = core {
        certs.deviceInfo().let {
            DeviceSummary(it.enrolled, it.office, it.role?.name, it.serverUrl, it.checkInDays, it.lastCheckInUnixMs, it.checkInLocked, it.deviceId)
        }
    }
}

private const val PLACEHOLDER_DATE = "2000-01-01"

/** The core's InvalidInput reasons start with the field's name ("travel_date: ..."). */
private fun fieldOf(reason: String): String = when (val f = reason.substringBefore(' ').trim(':', ',')) {
    "date_of_birth" -> "applicant.date_of_birth"
    else -> f
}

/** "applicant.surname: is empty" under the surname field reads "is empty"... keep the sentence only. */
private fun String.withoutField(field: String): String =
    removePrefix("$field: ").removePrefix("$field ").replaceFirstChar { it.uppercase() }

private fun RequestForm.toFfi() = CertificateRequestData(
    applicant = ApplicantData(
        surname = surname,
        givenName = givenName,
        patronymic = patronymic.ifBlank { null },
        dateOfBirth = dateOfBirth,
        placeOfBirth = placeOfBirth,
        sex = when (sex.uppercase()) {
            "M" -> SexKind.M
            "F" -> SexKind.F
            else -> SexKind.X
        },
    ),
    evidence = if (oldPassport.isBlank()) emptyList() else listOf(CitizenshipEvidenceData.OldPassport(oldPassport)),
    loss = DocumentLossKind.HELD_BY_TRAFFICKER,
    trafficking = if (trafficking) TraffickingData() else null,
    route = route,
    travelDate = travelDate,
    officerAssessment = assessment,
    issuingOffice = issuingOffice.ifBlank { null },
)

private fun CaseDetails.toSummary() =
    CaseSummary(caseId, state?.name ?: "DRAFT", certificate?.number, inConflict, request?.trafficking != null)

private fun CaseListItem.toSummary() = CaseSummary(caseId, state?.name ?: "DRAFT", certificateNumber, inConflict, trafficking)

private fun VerificationResult.toApp(): Verification = when (this) {
    is VerificationResult.Valid -> Verification.Valid(
        number = certificate.number,
        holder = listOfNotNull(certificate.surname, certificate.givenName, certificate.patronymic).joinToString(" "),
        dateOfBirth = certificate.dateOfBirth,
        issuingOffice = certificate.issuingOffice,
        expiryDate = certificate.expiryDate,
        children = certificate.children.size,
        warnings = certificate.warnings,
        trustListAgeHours = certificate.trustListAgeHours,
    )
    is VerificationResult.Refused -> Verification.Refused(
        when (reason) {
            RefusalReason.BAD_SIGNATURE, RefusalReason.UNKNOWN_SIGNER, RefusalReason.SIGNER_NOT_VALID,
            RefusalReason.SIGNER_REVOKED, RefusalReason.BAD_DATES,
            -> Refusal.BAD_SIGNATURE
            RefusalReason.REVOKED -> Refusal.REVOKED
            RefusalReason.EXPIRED, RefusalReason.NOT_YET_VALID -> Refusal.EXPIRED
            RefusalReason.ALREADY_USED -> Refusal.ALREADY_USED
            RefusalReason.UNREADABLE -> Refusal.UNREADABLE
            RefusalReason.NO_TRUST_LIST -> Refusal.NO_TRUST_LIST
            RefusalReason.TRUST_LIST_TOO_OLD, RefusalReason.REVOCATION_LIST_TOO_OLD -> Refusal.LIST_TOO_OLD
        },
        explanation,
    )
}

private class RustSync(private val vault: HomewardVault) : SyncPort {
    override fun enrol(url: String, code: String, label: String, caPem: String?): String = core {
        vault.syncService().enroll(url, code, label, caPem).office
    }

    override fun sync(onProgress: (SyncProgress) -> Unit): SyncReport = core {
        val listener = object : SyncProgressListener {
            override fun onProgress(progress: SyncProgressInfo) = onProgress(progress.toApp())
        }
        vault.syncService().sync(listener).let {
            SyncReport(it.accepted, it.rejected.size, it.progress.eventsReceived, it.rollbackDetected)
        }
    }

    override fun cancel() = vault.syncService().cancel()
    override fun enterUnlockCode(code: String) = core { vault.syncService().enterUnlockCode(code) }
    override fun unlockCodeRetryAfterSecs(): Long = core { vault.syncService().unlockCodeRetryAfterSecs() }
    override fun restoreReport(): List<LostItem>? = core {
        vault.syncService().restoreReport()?.takeIf { it.acknowledgedMs == null }?.items?.map {
            LostItem(it.kind == LostItemKind.CERTIFICATE_CASE, it.id, it.madeDate, it.recovered)
        }
    }
    override fun acknowledgeRestore() = core { vault.syncService().acknowledgeRestore().let {} }
}

private fun SyncProgressInfo.toApp() =
    SyncProgress(eventsSent, eventsReceived, bytesSent, bytesReceived)

private class RustSettings(private val vault: HomewardVault) : SettingsPort {
    override fun crossingPoints(): List<CrossingPointItem> = core { vault.crossingPoints().map { CrossingPointItem(it.id, it.name, it.region) } }
    override fun retentionDays(): Int = core { vault.retentionDays() }
    override fun setRetentionDays(days: Int) = core { vault.setRetentionDays(days) }
    override fun changePin(currentPin: String, newPin: String) = core { vault.changePassphrase(currentPin, newPin) }
    override fun setDuress(currentPin: String, duress: String) = core { vault.setDuressPassphrase(currentPin, duress) }
    override fun clearDuress(currentPin: String) = core { vault.clearDuressPassphrase(currentPin) }
}

private class RustForward(private val vault: HomewardVault) : ForwardPort {
    override fun waiting(): Int = core { vault.forwardService().waiting() }
    override fun export(): ForwardBundle = core {
        vault.forwardService().exportBundle(REPAIR_PERCENT).let { ForwardBundle(it.bundleId, it.events, it.frames, it.fileJson) }
    }
    override fun qr(frame: String): QrMatrix = core { frameQr(frame).let { QrMatrix(it.width, it.modules) } }
    override fun reader(): FrameReaderPort = RustFrameReader(vault, vault.forwardService().frameReader())
    override fun importFile(contents: String): ForwardImported = core { vault.forwardService().importFile(contents).toApp() }
    override fun carried(): List<CarriedItem> = core {
        vault.forwardService().carried().map {
            val state = when (it.state) {
                CarriedBundleState.PENDING -> CarriedState.PENDING
                CarriedBundleState.DELIVERED -> CarriedState.DELIVERED
                CarriedBundleState.REFUSED -> CarriedState.REFUSED
            }
            CarriedItem(it.bundleId, it.events, state, it.refusal)
        }
    }

    private companion object {
        /** Half again as many frames as needed: a fifth missed by the camera still completes (docs/BINDINGS.md). */
        const val REPAIR_PERCENT = 50
    }
}

private class RustFrameReader(private val vault: HomewardVault, private val reader: FrameReader) : FrameReaderPort {
    override fun push(frame: String): FrameCount = core { reader.push(frame).let { FrameCount(it.received, it.needed, it.complete) } }
    override fun finish(): ForwardImported = core { vault.forwardService().importFrames(reader).toApp() }
}

private fun ForwardImport.toApp(): ForwardImported = when (this) {
    is ForwardImport.Bundle -> ForwardImported.Bundle(events)
    is ForwardImport.Receipts -> ForwardImported.Receipts(applied, accepted)
}
