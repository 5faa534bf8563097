// The one place that knows the generated bindings (HomewardFFI): maps their
// records to the app's values and HomewardError to CoreException, line by
// line as android/app/shared/.../core/RustVault.kt does. Keep it thin: no
// rule lives here, only translation.

import Foundation
import HomewardFFI

/// `settings` are the core's defaults in the app; tests pass light ones.
final class RustVault: VaultPort, @unchecked Sendable {
    private let dir: String
    private let keyStore: PlatformKeyStore?
    private let vaultSettings: VaultSettings
    // The opened vault, shared by every background task: guarded, like Kotlin's @Volatile.
    private let guardLock = NSLock()
    private var vault: HomewardVault?
    private var language: Lang?

    init(dir: String, keyStore: PlatformKeyStore?, settings: VaultSettings = VaultSettings()) {
        self.dir = dir
        self.keyStore = keyStore
        self.vaultSettings = settings
    }

    private func opened() throws -> HomewardVault {
        guardLock.lock()
        defer { guardLock.unlock() }
        if let v = vault { return v }
        let v = try core { try HomewardVault.open(dir: dir, keyStore: keyStore) }
        spoken(v)
        return v
    }

    /// Keeps `vault` and tells it the app's language, so a reason or a refusal is worded in it (call with guardLock held).
    private func spoken(_ v: HomewardVault) {
        vault = v
        if let l = language { v.setLanguage(language: l.ffi) }
    }

    func setLanguage(_ language: Lang) {
        guardLock.lock()
        defer { guardLock.unlock() }
        self.language = language
        vault?.setLanguage(language: language.ffi)
    }

    func exists() -> Bool { vaultExists(dir: dir) }

    func status() throws -> LockStatus {
        try core {
            let s = try opened().status()
            return LockStatus(unlocked: s.unlocked, attemptsRemaining: Int(s.attemptsRemaining),
                              maxAttempts: Int(s.maxAttempts), retryAfterSecs: Int64(s.retryAfterSecs),
                              lastAttemptInterrupted: s.lastAttemptInterrupted)
        }
    }

    func create(pin: String) throws {
        let v = try core { try HomewardVault.create(dir: dir, passphrase: pin, settings: vaultSettings, keyStore: keyStore) }
        guardLock.lock()
        spoken(v)
        guardLock.unlock()
    }

    // unlockAsync runs the key derivation on the library's own thread.
    func unlock(pin: String) async throws {
        let v = try opened()
        do { try await v.unlockAsync(passphrase: pin) } catch let e as HomewardError { throw e.toCore() }
    }

    func lock() throws {
        guardLock.lock()
        let v = vault
        guardLock.unlock()
        v?.lock()
    }

    func screenings() throws -> ScreeningsPort { RustScreenings(vault: try opened()) }
    func certificates() throws -> CertificatesPort { RustCertificates(vault: try opened()) }
    func sync() throws -> SyncPort { RustSync(vault: try opened()) }
    func settings() throws -> SettingsPort { RustSettings(vault: try opened()) }
    func forward() throws -> ForwardPort { RustForward(vault: try opened()) }
}

/// Runs a core call and turns its typed error into a CoreException.
func core<T>(_ block: () throws -> T) throws -> T {
    do { return try block() } catch let e as HomewardError { throw e.toCore() }
}

extension HomewardError {
    func toCore() -> CoreException {
        switch self {
        case let .WrongPassphrase(attemptsRemaining, retryAfterSecs, reason):
            return CoreException(kind: .wrongPin, reason: reason, attemptsRemaining: Int(attemptsRemaining), retryAfterSecs: Int64(retryAfterSecs))
        case let .TooSoon(attemptsRemaining, retryAfterSecs, reason):
            return CoreException(kind: .tooSoon, reason: reason, attemptsRemaining: Int(attemptsRemaining), retryAfterSecs: Int64(retryAfterSecs))
        case let .InvalidAnswer(questionId, reason):
            return CoreException(kind: .invalidAnswer, reason: reason, questionId: questionId)
        case let .RequestIncomplete(problems, reason):
            return CoreException(kind: .requestIncomplete, reason: reason,
                                 problems: problems.map { FieldError(field: $0.field, message: $0.message) })
        case let .NoVault(reason): return CoreException(kind: .noVault, reason: reason)
        case let .AlreadyExists(reason): return CoreException(kind: .alreadyExists, reason: reason)
        case let .Wiped(reason): return CoreException(kind: .wiped, reason: reason)
        case let .Locked(reason): return CoreException(kind: .locked, reason: reason)
        case let .Closed(reason): return CoreException(kind: .locked, reason: reason)
        case let .WeakPassphrase(reason): return CoreException(kind: .weakPin, reason: reason)
        case let .KeyStore(reason): return CoreException(kind: .keyStore, reason: reason)
        case let .InvalidInput(reason): return CoreException(kind: .invalidInput, reason: reason)
        case let .NotAllowed(reason): return CoreException(kind: .notAllowed, reason: reason)
        case let .NotEnrolled(reason): return CoreException(kind: .notEnrolled, reason: reason)
        // Enrolling an enrolled device: nothing to do, said as a refused step.
        case let .AlreadyEnrolled(reason): return CoreException(kind: .notAllowed, reason: reason)
        // A machine-readable zone that does not read: ask for a rescan or typing.
        case let .MrzRefused(_, _, reason): return CoreException(kind: .invalidInput, reason: reason)
        // A store-and-forward bundle, its frames or a receipt refused: the code says which advice.
        case let .BundleRefused(code, reason): return CoreException(kind: .bundleRefused, reason: reason, code: code)
        case let .CheckInOverdue(_, _, reason): return CoreException(kind: .checkInOverdue, reason: reason)
        case let .Network(reason): return CoreException(kind: .network, reason: reason)
        case let .ServerRefused(_, reason): return CoreException(kind: .serverRefused, reason: reason)
        case let .Untrusted(reason): return CoreException(kind: .untrusted, reason: reason)
        case let .Cancelled(reason): return CoreException(kind: .cancelled, reason: reason)
        case let .DeviceRevoked(reason): return CoreException(kind: .deviceRevoked, reason: reason)
        case let .DeviceWiped(reason): return CoreException(kind: .deviceWiped, reason: reason)
        case let .DiskFull(reason): return CoreException(kind: .diskFull, reason: reason)
        case let .Tampered(reason), let .NotFound(reason), let .UpdateRequired(reason),
             let .JustificationRequired(reason), let .ScreeningFinalised(reason), let .Storage(reason),
             let .Internal(reason):
            return CoreException(kind: .other, reason: reason)
        case let .ScreeningIncomplete(_, reason):
            return CoreException(kind: .other, reason: reason)
        }
    }
}

extension Lang {
    var ffi: Language {
        switch self {
        case .ky: return .ky
        case .ru: return .ru
        case .en: return .en
        }
    }
}

extension Language {
    var app: Lang {
        switch self {
        case .ky: return .ky
        case .ru: return .ru
        case .en: return .en
        }
    }
}

private struct RustScreenings: ScreeningsPort {
    let vault: HomewardVault

    func start(crossingPoint: String, language: Lang, screeningDate: String?) throws -> ScreeningSessionPort {
        try core {
            RustSession(try vault.screenings().start(input: NewScreeningInput(
                crossingPoint: crossingPoint, language: language.ffi, screeningDate: screeningDate)))
        }
    }

    func resume(id: String) throws -> ScreeningSessionPort {
        try core { RustSession(try vault.screenings().open(id: id, justification: nil)) }
    }

    func drafts() throws -> [ScreeningSummary] {
        try core {
            try vault.screenings().list(filter: ScreeningFilter()).map {
                ScreeningSummary(id: $0.id, crossingPoint: $0.crossingPoint, date: $0.screeningDate, isFinal: $0.isFinal)
            }
        }
    }
}

private final class RustSession: ScreeningSessionPort, @unchecked Sendable {
    private let s: ScreeningSession
    let id: String

    init(_ s: ScreeningSession) {
        self.s = s
        self.id = s.id()
    }

    func next() throws -> Question? { try core { try s.nextQuestion()?.app } }
    func question(id: String) throws -> Question { try core { try s.question(questionId: id).app } }
    func answer(questionId: String, answer: Answer) throws -> Progress {
        try core { try s.answer(questionId: questionId, answer: answer.ffi).app }
    }
    func skip(questionId: String) throws -> Progress { try core { try s.skip(questionId: questionId).app } }
    func progress() throws -> Progress { try core { try s.progress().app } }
    func moveToPrivate() throws -> Progress { try core { try s.moveToPrivate(officer: nil).app } }
    func setLanguage(_ language: Lang) { s.setLanguage(language: language.ffi) }
    func language() -> Lang { s.language().app }
    func outcome() throws -> Outcome { try core { try s.outcome().app } }
    func finalise() throws -> Outcome { try core { try s.finalise().app } }
    func consentWording(partnerName: String) throws -> ConsentText {
        try core {
            let w = try s.consentWording(partner: partnerName)
            return ConsentText(question: w.question, agree: w.agree, recorded: w.recorded, forChild: w.forChild)
        }
    }
    func consentToReferral(partner: String, purpose: String) throws {
        // A child's consent is the parent's or guardian's (the core's rule decides who is a child).
        _ = try core {
            let giver: ConsentGiverKind = try s.consentWording(partner: partner).forChild ? .parentOrGuardian : .thePerson
            return try s.addConsent(partner: partner, purpose: purpose, givenOn: nil, basis: .consent(givenBy: giver))
        }
    }
    func consents() throws -> [String] {
        try core { try s.consents().filter { $0.revokedOn == nil }.map { $0.partner } }
    }
    func referralPartners() throws -> [Partner] {
        try core {
            // No directory yet (never synced): nothing to list, not an error on the outcome.
            let listed: [PartnerView]
            do { listed = try s.referralPartners() } catch HomewardError.NotFound(reason: _) { listed = [] }
            return listed.map { Partner(id: $0.id, name: $0.name, phone: $0.phone, hours: $0.hours, servesChildren: $0.servesChildren) }
        }
    }
}

private extension QuestionView {
    var app: Question {
        let type: AnswerType
        switch kind {
        case .yesNo: type = .yesNo
        case let .singleChoice(options): type = .single(options: options.map { Option(id: $0.id, text: $0.text) })
        case let .multipleChoice(options): type = .multiple(options: options.map { Option(id: $0.id, text: $0.text) })
        case let .text(maxLen): type = .text(maxLen: maxLen.map { Int($0) })
        case let .number(min, max, integer): type = .number(min: min, max: max, integer: integer)
        case .date: type = .date
        }
        return Question(id: id, position: Int(position), total: Int(total), section: sectionTitle, text: text,
                        travellerText: travellerText, help: help, required: required, type: type, hint: hint,
                        privateOnly: privateInterviewOnly)
    }
}

private extension Answer {
    var ffi: AnswerInput {
        switch self {
        case let .tri(value):
            switch value {
            case .yes: return .yesNo(value: .yes)
            case .no: return .yesNo(value: .no)
            case .unknown: return .yesNo(value: .unknown)
            }
        case let .choice(id): return .choice(optionId: id)
        case let .choices(ids): return .choices(optionIds: ids)
        case let .text(text): return .text(text: text)
        case let .number(value): return .number(value: value)
        case let .date(isoDate): return .date(date: isoDate)
        }
    }
}

private extension ScreeningProgress {
    var app: Progress {
        Progress(answered: Int(answered), skipped: Int(skipped), done: Int(doneQuestions), total: Int(totalQuestions), canFinalise: canFinalise,
                 inPrivateInterview: inPrivateInterview, leftForPrivate: leftForPrivate.count, isFinal: isFinal)
    }
}

private extension ScreeningOutcomeView {
    var app: Outcome {
        let v: Verdict
        switch verdict {
        case .noIndicators: v = .noIndicators
        case .furtherInterview: v = .furtherInterview
        case .presumedVictim: v = .presumedVictim
        }
        return Outcome(verdict: v, text: verdictText, detail: verdictDetail, childNote: childNote, consentNote: consentNote,
                       exploitation: exploitation, why: why.map { Why(element: $0.element, answers: $0.answers) },
                       actions: actions.map { Action(text: $0.text, basis: $0.basis) }, disclaimer: disclaimer, isFinal: isFinal)
    }
}

private let placeholderDate = "2000-01-01"

private struct RustCertificates: CertificatesPort {
    let vault: HomewardVault
    private var certs: CertificateService { vault.certificates() }

    /// Every problem at once. The core reads the dates before it validates,
    /// so a malformed date is an InvalidInput that names its field and hides
    /// the other problems: that field gets the core's message, the core is
    /// asked again with a placeholder date there, and messages about the
    /// placeholder are dropped. No rule is decided here (as in RustVault.kt).
    func validate(form: RequestForm) throws -> [FieldError] {
        var probe = form
        var dateErrors: [FieldError] = []
        for _ in 0..<3 {
            do {
                let problems = try core { try certs.validateRequest(request: probe.ffi) }
                    .map { FieldError(field: $0.field, message: withoutField($0.message, $0.field)) }
                    .filter { p in !dateErrors.contains { $0.field == p.field } }
                return dateErrors + problems
            } catch let e as CoreException {
                guard e.kind == .invalidInput else { throw e }
                let field = fieldOf(e.reason)
                dateErrors.append(FieldError(field: field, message: withoutField(e.reason, field)))
                switch field {
                case "applicant.date_of_birth": probe.dateOfBirth = placeholderDate
                case "travel_date": probe.travelDate = placeholderDate
                default: return dateErrors
                }
            }
        }
        return dateErrors
    }

    func create(form: RequestForm, submit: Bool, photo: Data?) throws -> CaseSummary {
        try core { try certs.createRequest(request: form.ffi, submit: submit, photo: photo).summary }
    }

    func list() throws -> [CaseSummary] { try core { try certs.list().map { $0.summary } } }

    func issue(caseId: String) throws -> IssuedCertificate {
        try core {
            let issued = try certs.issue(caseId: caseId, validityDays: nil)
            let c = issued.case.certificate
            let a = issued.case.request?.applicant
            return IssuedCertificate(
                number: c?.number ?? "",
                holder: [a?.surname, a?.givenName].compactMap { $0 }.joined(separator: " "),
                expiryDate: c?.expiryDate ?? "",
                barcode: issued.barcode,
                qrWidth: Int(issued.qr.width),
                qrModules: issued.qr.modules)
        }
    }

    func verify(barcode: String) throws -> Verification {
        try core { try certs.verify(barcode: barcode, photo: nil, date: nil).app }
    }

    func recordEntry(barcode: String, crossingPoint: String) throws -> Verification {
        try core { try certs.recordEntry(barcode: barcode, crossingPoint: crossingPoint).app }
    }

    func device() throws -> DeviceSummary {
        try core {
            let d = try certs.deviceInfo()
            return DeviceSummary(enrolled: d.enrolled, office: d.office, role: d.role.map(roleName), serverUrl: d.serverUrl,
                                 checkInDays: Int(d.checkInDays), lastCheckInUnixMs: d.lastCheckInUnixMs,
                                 checkInLocked: d.checkInLocked, deviceId: d.deviceId)
        }
    }
}

/// The Kotlin enum names (`BORDER_GUARD`), so both apps show and compare the same words.
private func roleName(_ r: DeviceRole) -> String {
    switch r {
    case .borderGuard: return "BORDER_GUARD"
    case .consularOfficer: return "CONSULAR_OFFICER"
    case .headquarters: return "HEADQUARTERS"
    }
}

/// The core's InvalidInput reasons start with the field's name ("travel_date: ...").
private func fieldOf(_ reason: String) -> String {
    let first = reason.split(separator: " ", maxSplits: 1).first.map(String.init) ?? ""
    let f = first.trimmingCharacters(in: CharacterSet(charactersIn: ":,"))
    return f == "date_of_birth" ? "applicant.date_of_birth" : f
}

/// "applicant.surname: is empty" under the surname field reads "is empty"... keep the sentence only.
private func withoutField(_ message: String, _ field: String) -> String {
    var m = message
    for prefix in ["\(field): ", "\(field) "] where m.hasPrefix(prefix) {
        m.removeFirst(prefix.count)
    }
    return m.prefix(1).uppercased() + m.dropFirst()
}

private extension RequestForm {
    var ffi: CertificateRequestData {
        let sexKind: SexKind
        switch sex.uppercased() {
        case "M": sexKind = .m
        case "F": sexKind = .f
        default: sexKind = .x
        }
        let blank = { (s: String) in s.trimmingCharacters(in: .whitespaces).isEmpty }
        return CertificateRequestData(
            applicant: ApplicantData(surname: surname, givenName: givenName, patronymic: blank(patronymic) ? nil : patronymic,
                                     dateOfBirth: dateOfBirth, placeOfBirth: placeOfBirth, sex: sexKind),
            evidence: blank(oldPassport) ? [] : [.oldPassport(number: oldPassport)],
            loss: .heldByTrafficker,
            trafficking: trafficking ? TraffickingData() : nil,
            route: route,
            travelDate: travelDate,
            officerAssessment: assessment,
            issuingOffice: blank(issuingOffice) ? nil : issuingOffice)
    }
}

/// The Kotlin CaseState names (`APPROVED`): the request list and its strings key on them.
func caseStateName(_ s: CaseState?) -> String {
    switch s {
    case nil, .draft?: return "DRAFT"
    case .submitted?: return "SUBMITTED"
    case .moreInformationRequested?: return "MORE_INFORMATION_REQUESTED"
    case .identityVerified?: return "IDENTITY_VERIFIED"
    case .approved?: return "APPROVED"
    case .rejected?: return "REJECTED"
    case .issued?: return "ISSUED"
    case .entered?: return "ENTERED"
    case .expired?: return "EXPIRED"
    case .cancelled?: return "CANCELLED"
    case .revoked?: return "REVOKED"
    }
}

private extension CaseDetails {
    var summary: CaseSummary {
        CaseSummary(caseId: caseId, state: caseStateName(state), certificateNumber: certificate?.number,
                    inConflict: inConflict, trafficking: request?.trafficking != nil)
    }
}

private extension CaseListItem {
    var summary: CaseSummary {
        CaseSummary(caseId: caseId, state: caseStateName(state), certificateNumber: certificateNumber,
                    inConflict: inConflict, trafficking: trafficking)
    }
}

private extension VerificationResult {
    var app: Verification {
        switch self {
        case let .valid(c):
            return .valid(number: c.number,
                          holder: [c.surname, c.givenName, c.patronymic].compactMap { $0 }.joined(separator: " "),
                          dateOfBirth: c.dateOfBirth, issuingOffice: c.issuingOffice, expiryDate: c.expiryDate,
                          children: c.children.count, warnings: c.warnings, trustListAgeHours: c.trustListAgeHours)
        case let .refused(reason, explanation):
            let r: Refusal
            switch reason {
            case .badSignature, .unknownSigner, .signerNotValid, .signerRevoked, .badDates: r = .badSignature
            case .revoked: r = .revoked
            case .expired, .notYetValid: r = .expired
            case .alreadyUsed: r = .alreadyUsed
            case .unreadable: r = .unreadable
            case .noTrustList: r = .noTrustList
            case .trustListTooOld, .revocationListTooOld: r = .listTooOld
            }
            return .refused(reason: r, explanation: explanation)
        }
    }
}

/// The library calls `onProgress` on its syncing thread.
private final class ProgressRelay: SyncProgressListener, @unchecked Sendable {
    private let forward: @Sendable (SyncProgress) -> Void
    init(_ forward: @escaping @Sendable (SyncProgress) -> Void) { self.forward = forward }
    func onProgress(progress: SyncProgressInfo) {
        forward(SyncProgress(eventsSent: Int64(progress.eventsSent), eventsReceived: Int64(progress.eventsReceived),
                                bytesSent: Int64(progress.bytesSent), bytesReceived: Int64(progress.bytesReceived)))
    }
}

private struct RustSync: SyncPort {
    let vault: HomewardVault

    // enrollAsync and syncAsync run on a thread of the library's own; cancelling
    // the Swift task does not reach them, so the screen's Cancel calls cancel().
    func enrol(url: String, code: String, label: String, caPem: String?) async throws -> String {
        do {
            return try await vault.syncService().enrollAsync(url: url, code: code, label: label, caPem: caPem).office
        } catch let e as HomewardError { throw e.toCore() }
    }

    func sync(onProgress: @escaping @Sendable (SyncProgress) -> Void) async throws -> SyncReport {
        do {
            let r = try await vault.syncService().syncAsync(listener: ProgressRelay(onProgress))
            return SyncReport(accepted: Int64(r.accepted), rejected: r.rejected.count,
                              received: Int64(r.progress.eventsReceived), rollbackDetected: r.rollbackDetected)
        } catch let e as HomewardError { throw e.toCore() }
    }

    func cancel() { vault.syncService().cancel() }

    func enterUnlockCode(_ code: String) throws { try core { try vault.syncService().enterUnlockCode(code: code) } }

    func unlockCodeRetryAfterSecs() throws -> Int64 { try core { Int64(try vault.syncService().unlockCodeRetryAfterSecs()) } }

    func restoreReport() throws -> [LostItem]? {
        try core {
            guard let r = try vault.syncService().restoreReport(), r.acknowledgedMs == nil else { return nil }
            return r.items.map { LostItem(isCase: $0.kind == .certificateCase, id: $0.id, madeDate: $0.madeDate, recovered: $0.recovered) }
        }
    }

    func acknowledgeRestore() throws { try core { _ = try vault.syncService().acknowledgeRestore() } }
}

private struct RustSettings: SettingsPort {
    let vault: HomewardVault
    func retentionDays() throws -> Int { try core { Int(try vault.retentionDays()) } }
    func setRetentionDays(_ days: Int) throws { try core { try vault.setRetentionDays(days: Int32(clamping: days)) } }
    func crossingPoints() throws -> [CrossingPointItem] {
        try core { try vault.crossingPoints().map { CrossingPointItem(id: $0.id, name: $0.name, region: $0.region) } }
    }
    func changePin(currentPin: String, newPin: String) throws {
        try core { try vault.changePassphrase(current: currentPin, newPassphrase: newPin) }
    }
    func setDuress(currentPin: String, duress: String) throws {
        try core { try vault.setDuressPassphrase(current: currentPin, duress: duress) }
    }
    func clearDuress(currentPin: String) throws { try core { try vault.clearDuressPassphrase(current: currentPin) } }
}

private struct RustForward: ForwardPort {
    let vault: HomewardVault
    /// Half again as many frames as needed: a fifth missed by the camera still completes (docs/BINDINGS.md).
    private static let repairPercent: Int32 = 50

    func waiting() throws -> Int { try core { Int(try vault.forwardService().waiting()) } }
    func export() throws -> ForwardBundle {
        try core {
            let b = try vault.forwardService().exportBundle(repairPercent: Self.repairPercent)
            return ForwardBundle(bundleId: b.bundleId, events: Int(b.events), frames: b.frames, fileJson: b.fileJson)
        }
    }
    func qr(frame: String) throws -> QrMatrix {
        try core {
            let q = try frameQr(frame: frame)
            return QrMatrix(width: Int(q.width), modules: q.modules)
        }
    }
    func reader() -> FrameReaderPort { RustFrameReader(vault: vault, reader: vault.forwardService().frameReader()) }
    func importFile(contents: String) throws -> ForwardImported { try core { try vault.forwardService().importFile(contents: contents).toApp() } }
    func carried() throws -> [CarriedItem] {
        try core {
            try vault.forwardService().carried().map {
                let state: CarriedState
                switch $0.state {
                case .pending: state = .pending
                case .delivered: state = .delivered
                case .refused: state = .refused
                }
                return CarriedItem(bundleId: $0.bundleId, events: Int($0.events), state: state, refusal: $0.refusal)
            }
        }
    }
}

private struct RustFrameReader: FrameReaderPort, @unchecked Sendable {
    let vault: HomewardVault
    let reader: FrameReader

    func push(frame: String) throws -> FrameCount {
        try core {
            let p = try reader.push(frame: frame)
            return FrameCount(received: Int(p.received), needed: Int(p.needed), complete: p.complete)
        }
    }
    func finish() throws -> ForwardImported { try core { try vault.forwardService().importFrames(reader: reader).toApp() } }
}

private extension ForwardImport {
    func toApp() -> ForwardImported {
        switch self {
        case let .bundle(_, _, events): return .bundle(events: Int(events))
        case let .receipts(applied, accepted, _, _, _): return .receipts(applied: Int(applied), accepted: accepted)
        }
    }
}
