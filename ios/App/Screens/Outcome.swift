// Mirrors android/app/shared/.../screening/Outcome.kt: the core's outcome
// (provisional until finalised), its "why", actions with their legal basis,
// referral consent.

import SwiftUI

struct OutcomeState: Equatable, Sendable {
    var outcome: Outcome?
    var language: Lang
    var consentRecorded: Bool
    var error: String?
    var busy: Bool
    /// The core's consent question, button and confirmation in `language`; nil until loaded.
    var consent: ConsentText? = nil
    /// The partners the recommended actions point to (the referral directory); empty without one.
    var partners: [Partner] = []
}

enum OutcomeEvent: Sendable {
    case finalise
    case consentToReferral
}

@MainActor @Observable
final class OutcomeViewModel {
    private(set) var state = OutcomeState(outcome: nil, language: .en, consentRecorded: false, error: nil, busy: false)
    private let session: ScreeningSessionPort

    init(session: ScreeningSessionPort) {
        self.session = session
    }

    func load() async {
        do {
            let (o, l, c) = try await background { [session] in (try session.outcome(), session.language(), try session.consents()) }
            state.consent = try await background { [session] in try session.consentWording(partnerName: partnerName(l)) }
            state.partners = try await background { [session] in try session.referralPartners() }
            state.outcome = o
            state.language = l
            state.consentRecorded = !c.isEmpty
        } catch {
            state.error = reason(of: error)
        }
    }

    private func run(_ block: @escaping @MainActor () async throws -> Void) -> Task<Void, Never> {
        if state.busy { return done() }
        state.busy = true
        return Task { [self] in
            do { try await block() } catch { state.error = reason(of: error) }
            state.busy = false
        }
    }

    @discardableResult
    func send(_ event: OutcomeEvent) -> Task<Void, Never> {
        switch event {
        case .finalise:
            return run { [self] in
                state.outcome = try await background { [session] in try session.finalise() }
                state.partners = try await background { [session] in try session.referralPartners() }
            }
        case .consentToReferral:
            return run { [self] in
                try await background { [session] in try session.consentToReferral(partner: "IOM", purpose: "referral") }
                state.consentRecorded = true
            }
        }
    }
}

/// The partner the app refers to, as the person knows it in `lang` (its id stays "IOM").
func partnerName(_ lang: Lang) -> String { lang == .ru ? "МОМ" : "IOM" }

/// Words and a symbol say the verdict; the colour only repeats them.
func verdictSymbol(_ v: Verdict) -> String {
    switch v {
    case .noIndicators: return "○"
    case .furtherInterview: return "◐"
    case .presumedVictim: return "●"
    }
}

func verdictColor(_ v: Verdict) -> Color {
    switch v {
    case .noIndicators: return Tones.neutral
    case .furtherInterview: return Tones.caution
    case .presumedVictim: return Tones.refused
    }
}

struct OutcomeView: View {
    let state: OutcomeState
    let send: (OutcomeEvent) -> Void
    let onDone: () -> Void

    var body: some View {
        let s = Strings(state.language)
        Screen(s.outcome, onBack: onDone) {
            if let o = state.outcome {
                VStack(alignment: .leading, spacing: 8) {
                    Text(verdictSymbol(o.verdict) + " " + o.text).font(.title2.bold()).foregroundStyle(verdictColor(o.verdict))
                    BodyText(o.detail)
                    Text(o.isFinal ? s.finalised : s.provisional).font(.subheadline).foregroundStyle(Tones.neutral)
                        .accessibilityIdentifier("finality")
                }
                .padding(16)
                .frame(maxWidth: .infinity, alignment: .leading)
                .overlay(RoundedRectangle(cornerRadius: 8).stroke(verdictColor(o.verdict), lineWidth: 3))
                .accessibilityElement(children: .contain)
                .accessibilityIdentifier("verdict")
                if let note = o.childNote { Notice("⚠", note, Tones.caution) }
                if let note = o.consentNote { Notice("ℹ", note, Tones.neutral) }
                if !o.exploitation.isEmpty {
                    Text(s.exploitation).font(.headline)
                    BodyText(o.exploitation.joined(separator: " · ")).accessibilityIdentifier("exploitation")
                }
                if !o.why.isEmpty {
                    SectionTitle(s.why)
                    ForEach(Array(o.why.enumerated()), id: \.offset) { _, w in
                        Text(w.element).font(.headline)
                        ForEach(Array(w.answers.enumerated()), id: \.offset) { _, a in BodyText("• " + a) }
                    }
                }
                if !o.actions.isEmpty {
                    SectionTitle(s.actions)
                    ForEach(Array(o.actions.enumerated()), id: \.offset) { i, a in
                        Text("\(i + 1). \(a.text)").font(.headline)
                        Text("\(s.legalBasis): \(a.basis)").font(.subheadline).foregroundStyle(Tones.neutral)
                    }
                }
                if !state.partners.isEmpty {
                    SectionTitle(s.partners)
                    ForEach(state.partners, id: \.id) { p in
                        // One element for VoiceOver: the name with its phone and hours.
                        VStack(alignment: .leading) {
                            Text(p.name).font(.headline)
                            BodyText([p.phone, p.hours.isEmpty ? nil : p.hours].compactMap { $0 }.joined(separator: " · "))
                        }
                        .accessibilityElement(children: .combine)
                        .accessibilityIdentifier("partner-" + p.id)
                    }
                }
                if let error = state.error { Notice("⚠", error, Tones.refused, tag: "error") }
                // The consent question as the core words it: read it to the person, then record the answer.
                let c = state.consent
                if state.consentRecorded {
                    Notice("✓", c?.recorded ?? s.consentRecorded, Tones.valid, tag: "consent-recorded")
                } else if o.verdict != .noIndicators {
                    SectionTitle(s.consentTitle)
                    if let c { BodyText(c.question).accessibilityIdentifier("consent-question") }
                    BigButton(c?.agree ?? s.referralConsent, { send(.consentToReferral) }, enabled: !state.busy, primary: false, tag: "consent")
                }
                if !o.isFinal { BigButton(s.finalise, { send(.finalise) }, enabled: !state.busy, tag: "finalise") }
                Text(o.disclaimer).font(.footnote).foregroundStyle(Tones.neutral)
            } else {
                BodyText(state.error ?? s.working)
            }
        }
        .environment(\.strings, s)
    }
}
