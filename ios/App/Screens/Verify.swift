// Mirrors android/app/shared/.../verify/Verify.kt: verification at entry,
// offline, by the core; a refusal is a result with its explanation.

import SwiftUI

struct VerifyState: Equatable, Sendable {
    var manual: String
    var result: Verification?
    var entryRecorded: Bool
    var error: String?
    var busy: Bool
}

enum VerifyEvent: Sendable {
    /// What the camera's barcode reader decoded, as it is.
    case scanned(barcode: String)
    case manualChanged(text: String)
    case checkManual
    case recordEntry
    case reset
}

@MainActor @Observable
final class VerifyViewModel {
    private(set) var state = VerifyState(manual: "", result: nil, entryRecorded: false, error: nil, busy: false)
    @ObservationIgnored private var barcode: String?
    private let certificates: CertificatesPort
    private let crossingPoint: String

    init(certificates: CertificatesPort, crossingPoint: String) {
        self.certificates = certificates
        self.crossingPoint = crossingPoint
    }

    private func run(_ block: @escaping @MainActor () async throws -> Void) -> Task<Void, Never> {
        if state.busy { return done() }
        state.busy = true
        state.error = nil
        return Task { [self] in
            do { try await block() } catch { state.error = reason(of: error) }
            state.busy = false
        }
    }

    private func check(_ code: String) -> Task<Void, Never> {
        run { [self, certificates] in
            barcode = code
            state.entryRecorded = false
            state.result = try await background { try certificates.verify(barcode: code) }
        }
    }

    @discardableResult
    func send(_ event: VerifyEvent) -> Task<Void, Never> {
        switch event {
        case let .scanned(barcode): return check(barcode)
        case let .manualChanged(text): state.manual = text
        case .checkManual: return check(state.manual.trimmingCharacters(in: .whitespacesAndNewlines))
        case .recordEntry:
            return run { [self, certificates, crossingPoint] in
                guard let code = barcode else { return }
                let r = try await background { try certificates.recordEntry(barcode: code, crossingPoint: crossingPoint) }
                state.result = r
                if case .valid = r { state.entryRecorded = true } else { state.entryRecorded = false }
            }
        case .reset:
            state.manual = ""
            barcode = nil
            state.result = nil
            state.entryRecorded = false
            state.error = nil
        }
        return done()
    }
}

/// A camera with a barcode reader, given by the platform (CameraScanner.swift:
/// AVFoundation; none in tests and previews): it calls back with the decoded text.
protocol Scanner {
    func preview(onScanned: @escaping (String) -> Void) -> AnyView
}

struct VerifyView: View {
    let state: VerifyState
    let send: (VerifyEvent) -> Void
    let onBack: () -> Void
    var scanner: Scanner?
    @Environment(\.strings) var s

    var body: some View {
        Screen(s.verifyCertificate, onBack: onBack) {
            switch state.result {
            case nil:
                BodyText(s.scanHint)
                if let scanner { scanner.preview { send(.scanned(barcode: $0)) } }
                Field(s.manualEntry, state.manual, { send(.manualChanged(text: $0)) }, singleLine: false, tag: "manual")
                BigButton(s.check, { send(.checkManual) },
                          enabled: !state.busy && !state.manual.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, tag: "check")
            case let .valid(number, holder, dateOfBirth, issuingOffice, expiryDate, _, warnings, trustListAgeHours)?:
                Banner(text: "✓ " + s.valid, color: Tones.valid, identifier: "verdict-valid")
                Text(holder).font(.largeTitle.bold()).accessibilityIdentifier("holder")
                BodyText("\(s.born): \(dateOfBirth)")
                BodyText("№ \(number)")
                BodyText("\(s.expires): \(expiryDate)")
                BodyText("\(s.issuedBy): \(issuingOffice)")
                ForEach(Array(warnings.enumerated()), id: \.offset) { _, w in Notice("⚠", w, Tones.caution) }
                BodyText(s.listAge(trustListAgeHours))
                if state.entryRecorded {
                    Notice("✓", s.entryRecorded, Tones.valid, tag: "entry-recorded")
                } else {
                    BigButton(s.recordEntry, { send(.recordEntry) }, enabled: !state.busy, tag: "record-entry")
                }
                BigButton(s.scanAnother, { send(.reset) }, primary: false, tag: "reset")
            case let .refused(reason, explanation)?:
                Banner(text: "✗ " + s.refused, color: Tones.refused, identifier: "verdict-refused")
                Text(s.refusalAdvice(reason)).font(.title2.bold()).accessibilityIdentifier("advice")
                Text(explanation).font(.title3).accessibilityIdentifier("explanation")
                BigButton(s.scanAnother, { send(.reset) }, tag: "reset")
            }
            if let error = state.error { Notice("⚠", error, Tones.refused, tag: "error") }
        }
    }
}

/// A full-width block: a symbol and a word in large type on the colour, readable at arm's length.
private struct Banner: View {
    let text: String
    let color: Color
    let identifier: String

    var body: some View {
        Text(text)
            .font(.system(size: 36, weight: .black))
            .foregroundStyle(.white)
            .padding(.vertical, 24)
            .padding(.horizontal, 16)
            .frame(maxWidth: .infinity, alignment: .leading)
            .background(color)
            .accessibilityElement(children: .combine)
            .accessibilityIdentifier(identifier)
    }
}
