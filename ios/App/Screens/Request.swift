// Mirrors android/app/shared/.../request/Request.kt: the request form (the
// core validates; its messages go under their fields), the list of
// requests, and the issued certificate with its QR code.

import SwiftUI

struct RequestState: Equatable, Sendable {
    var form: RequestForm
    /// The core's message per field (`applicant.surname` -> "...").
    var fieldErrors: [String: String]
    var saved: CaseSummary?
    var error: String?
    var busy: Bool
}

enum RequestEvent: Sendable {
    case edit(form: RequestForm)
    case saveDraft
    case submit
}

private func byField(_ errors: [FieldError]) -> [String: String] {
    // As Kotlin's associate: a later message for the same field wins.
    Dictionary(errors.map { ($0.field, $0.message) }, uniquingKeysWith: { _, later in later })
}

/// After the first try to submit, every edit is checked again so a message
/// disappears as soon as its field is right.
@MainActor @Observable
final class RequestViewModel {
    private(set) var state = RequestState(form: RequestForm(), fieldErrors: [:], saved: nil, error: nil, busy: false)
    @ObservationIgnored private var tried = false
    @ObservationIgnored private var validation: Task<Void, Never>?
    private let certificates: CertificatesPort

    init(certificates: CertificatesPort) {
        self.certificates = certificates
    }

    @discardableResult
    func send(_ event: RequestEvent) -> Task<Void, Never> {
        switch event {
        case let .edit(form):
            state.form = form
            return revalidate()
        case .saveDraft: return save(submit: false)
        case .submit: return save(submit: true)
        }
    }

    /// Kotlin's LaunchedEffect(form, tried): a newer edit cancels the older check, and a
    /// result is applied only to the form it was made for.
    private func revalidate() -> Task<Void, Never> {
        guard tried else { return done() }
        let form = state.form
        validation?.cancel()
        let t = Task { [self, certificates] in
            do {
                let errors = try await background { try certificates.validate(form: form) }
                guard !Task.isCancelled, state.form == form else { return }
                state.fieldErrors = byField(errors)
            } catch {
                state.error = reason(of: error)
            }
        }
        validation = t
        return t
    }

    private func save(submit: Bool) -> Task<Void, Never> {
        if state.busy { return done() }
        state.busy = true
        state.error = nil
        let form = state.form
        return Task { [self, certificates] in
            do {
                state.saved = try await background { try certificates.create(form: form, submit: submit) }
                state.fieldErrors = [:]
            } catch {
                if let e = error as? CoreException {
                    switch e.kind {
                    case .requestIncomplete: state.fieldErrors = byField(e.problems)
                    case .invalidInput:
                        if let errors = try? await background({ try certificates.validate(form: form) }) {
                            state.fieldErrors = byField(errors)
                        }
                    default: break
                    }
                }
                state.error = reason(of: error)
                let first = !tried
                tried = true
                // Kotlin's effect runs again when `tried` turns true: the full check of this form.
                if first { await revalidate().value }
            }
            state.busy = false
        }
    }
}

/// One field of the form, with the core's field name for its message.
struct RequestField {
    let field: String
    let keyPath: WritableKeyPath<RequestForm, String>
}

/// The form's fields (Kotlin's requestFields), in order.
var requestFields: [RequestField] {
    [
        RequestField(field: "applicant.surname", keyPath: \.surname),
        RequestField(field: "applicant.given_name", keyPath: \.givenName),
        RequestField(field: "applicant.patronymic", keyPath: \.patronymic),
        RequestField(field: "applicant.date_of_birth", keyPath: \.dateOfBirth),
        RequestField(field: "applicant.place_of_birth", keyPath: \.placeOfBirth),
        RequestField(field: "applicant.sex", keyPath: \.sex),
        RequestField(field: "evidence", keyPath: \.oldPassport),
        RequestField(field: "route", keyPath: \.route),
        RequestField(field: "travel_date", keyPath: \.travelDate),
        RequestField(field: "officer_assessment", keyPath: \.assessment),
    ]
}

private func belongs(_ key: String, to field: String) -> Bool {
    key == field || key.hasPrefix(field + ".") || key.hasPrefix(field + "[")
}

struct RequestView: View {
    let state: RequestState
    let send: (RequestEvent) -> Void
    let onBack: () -> Void
    @Environment(\.strings) var s

    private func label(_ field: String) -> String {
        switch field {
        case "applicant.surname": return s.surname
        case "applicant.given_name": return s.givenName
        case "applicant.patronymic": return s.patronymic
        case "applicant.date_of_birth": return s.dateOfBirth
        case "applicant.place_of_birth": return s.placeOfBirth
        case "applicant.sex": return s.sex
        case "evidence": return s.oldPassport
        case "route": return s.route
        case "travel_date": return s.travelDate
        default: return s.assessment
        }
    }

    var body: some View {
        Screen(s.newRequest, onBack: onBack) {
            if let saved = state.saved {
                Notice("✓", "\(s.submitted) (\(saved.caseId.prefix(8)))", Tones.valid, tag: "saved")
            }
            if !state.fieldErrors.isEmpty {
                Notice("⚠", s.fixErrors(state.fieldErrors.count), Tones.refused, tag: "error-count")
            }
            ForEach(requestFields, id: \.field) { f in
                Field(label(f.field), state.form[keyPath: f.keyPath], { v in
                    var form = state.form
                    form[keyPath: f.keyPath] = v
                    send(.edit(form: form))
                }, error: state.fieldErrors[f.field]
                    ?? state.fieldErrors.sorted { $0.key < $1.key }.first { belongs($0.key, to: f.field) }?.value,
                tag: f.field)
            }
            // Problems the form has no field for (children, loss, trafficking) still show.
            ForEach(state.fieldErrors.keys.sorted().filter { k in !requestFields.contains { belongs(k, to: $0.field) } }, id: \.self) { k in
                Notice("⚠", state.fieldErrors[k] ?? "", Tones.refused)
            }
            BigButton(s.submit, { send(.submit) }, enabled: !state.busy, tag: "submit")
            BigButton(s.saveDraft, { send(.saveDraft) }, enabled: !state.busy, primary: false, tag: "save-draft")
        }
    }
}

struct RequestListState: Equatable, Sendable {
    var cases: [CaseSummary]
    var issued: IssuedCertificate?
    var error: String?
}

enum RequestListEvent: Sendable {
    case refresh
    case issue(caseId: String)
    case closeCertificate
}

@MainActor @Observable
final class RequestListViewModel {
    private(set) var state = RequestListState(cases: [], issued: nil, error: nil)
    private let certificates: CertificatesPort

    init(certificates: CertificatesPort) {
        self.certificates = certificates
    }

    func load() async {
        do {
            state.cases = try await background { [certificates] in try certificates.list() }
        } catch {
            state.error = reason(of: error)
        }
    }

    @discardableResult
    func send(_ event: RequestListEvent) -> Task<Void, Never> {
        switch event {
        case .refresh:
            return Task { await load() }
        case let .issue(caseId):
            return Task { [self, certificates] in
                do {
                    state.issued = try await background { try certificates.issue(caseId: caseId) }
                    await load()
                } catch {
                    state.error = reason(of: error)
                }
            }
        case .closeCertificate:
            state.issued = nil
            return done()
        }
    }
}

struct RequestListView: View {
    let state: RequestListState
    let send: (RequestListEvent) -> Void
    let onBack: () -> Void
    @Environment(\.strings) var s

    var body: some View {
        if let issued = state.issued {
            CertificateView(certificate: issued, onBack: { send(.closeCertificate) })
        } else {
            Screen(s.requests, onBack: onBack) {
                if let error = state.error { Notice("⚠", error, Tones.refused, tag: "error") }
                if state.cases.isEmpty { BodyText(s.noRequests) }
                ForEach(state.cases, id: \.caseId) { c in
                    Notice(c.inConflict ? "⚠" : "•",
                           [s.caseState(c.state), c.certificateNumber, String(c.caseId.prefix(8)), c.inConflict ? s.conflict : nil]
                               .compactMap { $0 }.joined(separator: " · "),
                           c.inConflict ? Tones.caution : Tones.neutral, tag: "case-\(c.caseId)")
                    if c.state == "APPROVED" {
                        BigButton(s.issue, { send(.issue(caseId: c.caseId)) }, tag: "issue-\(c.caseId)")
                    }
                }
            }
        }
    }
}

/// The issued certificate with its QR code (the core's modules, QrImage.swift).
struct CertificateView: View {
    let certificate: IssuedCertificate
    let onBack: () -> Void
    @Environment(\.strings) var s
    @State private var saved: CGFloat?

    var body: some View {
        Screen(s.certificate, onBack: onBack) {
            Text(certificate.holder).font(.title2.bold())
            BodyText("№ " + certificate.number)
            BodyText("\(s.expires): \(certificate.expiryDate)")
            if let image = QrImage.make(certificate) {
                Image(decorative: image, scale: 1)
                    .interpolation(.none)
                    .resizable()
                    .aspectRatio(1, contentMode: .fit)
                    .frame(maxWidth: .infinity)
                    .accessibilityLabel("QR " + certificate.number)
                    .accessibilityIdentifier("qr")
            }
            BodyText(s.showFullScreen)
        }
        // Full brightness while the code is shown (a scanner in sunlight), the officer's own setting after.
        .onAppear {
            saved = UIScreen.main.brightness
            UIScreen.main.brightness = 1
        }
        .onDisappear { if let b = saved { UIScreen.main.brightness = b } }
    }
}
