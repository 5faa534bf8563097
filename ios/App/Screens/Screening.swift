// Mirrors android/app/shared/.../screening/Screening.kt: one question at a
// time, as the core orders it; the app never decides what comes next.

import SwiftUI

enum ScreeningPhase: Sendable {
    case loading, asking, privatePrompt, done
}

struct ScreeningState: Equatable, Sendable {
    var phase: ScreeningPhase
    var question: Question?
    var progress: Progress?
    /// What is typed for a text, number or date question; ticked ids for a multiple choice.
    var typed: String
    var ticked: Set<String>
    /// The core's reason for a refused answer, under the question.
    var error: String?
    var language: Lang
    var canGoBack: Bool
    var busy: Bool
}

enum ScreeningEvent: Sendable {
    case answerYesNo(value: YesNo)
    case choose(optionId: String)
    case toggle(optionId: String)
    case type(text: String)
    /// Sends what is typed or ticked.
    case confirm
    case skip
    case back
    case switchLanguage(language: Lang)
    case startPrivateInterview
}

/// Back re-opens the previous question (its new answer replaces the old one);
/// the next question is asked of the core again.
@MainActor @Observable
final class ScreeningViewModel {
    private(set) var state = ScreeningState(phase: .loading, question: nil, progress: nil, typed: "", ticked: [],
                                            error: nil, language: .en, canGoBack: false, busy: false)
    @ObservationIgnored private var history: [String] = [] {
        didSet { state.canGoBack = !history.isEmpty }
    }

    let session: ScreeningSessionPort

    init(session: ScreeningSessionPort) {
        self.session = session
    }

    func load() async {
        await run { [self] in
            let (q, p, l) = try await background { [session] in (try session.next(), try session.progress(), session.language()) }
            state.language = l
            show(q, p)
        }.value
    }

    private func show(_ q: Question?, _ p: Progress) {
        state.progress = p
        state.question = q
        state.typed = ""
        state.ticked = []
        state.error = nil
        if q != nil {
            state.phase = .asking
        } else if p.leftForPrivate > 0 && !p.inPrivateInterview {
            state.phase = .privatePrompt
        } else {
            state.phase = .done
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

    private func send(answer: Answer?) -> Task<Void, Never> {
        run { [self] in
            guard let q = state.question else { return }
            let (next, p) = try await background { [session] in
                let p: Progress
                if let answer {
                    p = try session.answer(questionId: q.id, answer: answer)
                } else {
                    p = try session.skip(questionId: q.id)
                }
                return (try session.next(), p)
            }
            history.append(q.id)
            show(next, p)
        }
    }

    @discardableResult
    func send(_ event: ScreeningEvent) -> Task<Void, Never> {
        switch event {
        case let .answerYesNo(value): return send(answer: .tri(value: value))
        case let .choose(optionId): return send(answer: .choice(id: optionId))
        case let .toggle(optionId):
            if state.ticked.contains(optionId) { state.ticked.remove(optionId) } else { state.ticked.insert(optionId) }
        case let .type(text): state.typed = text
        case .confirm:
            switch state.question?.type {
            case let .multiple(options)?:
                return send(answer: .choices(ids: options.map(\.id).filter { state.ticked.contains($0) }))
            case .number?:
                // A number field that does not parse is not sent (the keyboard is numeric).
                let text = state.typed.replacingOccurrences(of: ",", with: ".").trimmingCharacters(in: .whitespaces)
                if let v = Double(text) { return send(answer: .number(value: v)) }
            case .date?: return send(answer: .date(isoDate: state.typed.trimmingCharacters(in: .whitespacesAndNewlines)))
            case .text?: return send(answer: .text(text: state.typed))
            default: break
            }
        case .skip: return send(answer: nil)
        case .back:
            return run { [self] in
                guard let id = history.popLast() else { return }
                let (q, p) = try await background { [session] in (try session.question(id: id), try session.progress()) }
                show(q, p)
            }
        case let .switchLanguage(language):
            return run { [self] in
                let id = state.question?.id
                let q = try await background { [session] in
                    session.setLanguage(language)
                    return try id.map { try session.question(id: $0) }
                }
                state.language = language
                if let q { state.question = q }
            }
        case .startPrivateInterview:
            return run { [self] in
                let (q, p) = try await background { [session] in
                    let p = try session.moveToPrivate()
                    return (try session.next(), p)
                }
                show(q, p)
            }
        }
        return done()
    }
}

struct ScreeningView: View {
    let state: ScreeningState
    let send: (ScreeningEvent) -> Void
    let onOutcome: () -> Void
    let onClose: () -> Void

    var body: some View {
        // The screen speaks the session's language: the person may read it too.
        let s = Strings(state.language)
        Screen(state.question?.section ?? s.newScreening,
               onBack: state.canGoBack ? { send(.back) } : onClose,
               actions: { LanguageSwitch(state.language) { send(.switchLanguage(language: $0)) } }) {
            if let p = state.progress {
                ProgressView(value: Double(p.done), total: Double(max(p.total, 1)))
                    .frame(minHeight: 8)
                    .accessibilityLabel("\(p.done) / \(p.total)")
            }
            switch state.phase {
            case .loading: BodyText(s.working)
            case .asking:
                if let q = state.question { QuestionBody(q: q, state: state, send: send, s: s) }
            case .privatePrompt:
                Notice("◆", s.privateInterviewBody, Tones.caution, tag: "private-prompt")
                BigButton(s.startPrivate, { send(.startPrivateInterview) }, tag: "start-private")
                BigButton(s.seeOutcome, onOutcome, primary: false, tag: "outcome")
            case .done:
                BigButton(s.seeOutcome, onOutcome, tag: "outcome")
            }
        }
        .environment(\.strings, s)
    }
}

private struct QuestionBody: View {
    let q: Question
    let state: ScreeningState
    let send: (ScreeningEvent) -> Void
    let s: Strings

    var body: some View {
        Text((q.privateOnly ? "◆ " + s.privateInterview + " · " : "") + s.questionOf(q.position, q.total))
            .font(.subheadline).foregroundStyle(Tones.neutral).accessibilityIdentifier("position")
        Text(q.text).font(.title2.weight(.semibold)).accessibilityIdentifier("question")
        if let t = q.travellerText { Text(t).font(.title3).foregroundStyle(Tones.neutral) }
        if let help = q.help { BodyText("ℹ " + help) }
        if let error = state.error { Notice("⚠", error, Tones.refused, tag: "answer-error") }
        let busy = state.busy
        switch q.type {
        case .yesNo:
            BigButton(s.yes, { send(.answerYesNo(value: .yes)) }, enabled: !busy, tag: "yes")
            BigButton(s.no, { send(.answerYesNo(value: .no)) }, enabled: !busy, tag: "no")
            BigButton(s.unknown, { send(.answerYesNo(value: .unknown)) }, enabled: !busy, primary: false, tag: "unknown")
        case let .single(options):
            ForEach(options, id: \.id) { o in
                BigButton(o.text, { send(.choose(optionId: o.id)) }, enabled: !busy, primary: false, tag: "option-\(o.id)")
            }
        case let .multiple(options):
            ForEach(options, id: \.id) { o in
                Toggle(o.text, isOn: Binding(get: { state.ticked.contains(o.id) }, set: { _ in send(.toggle(optionId: o.id)) }))
                    .toggleStyle(CheckboxStyle())
                    .frame(minHeight: 56)
                    .accessibilityIdentifier("option-\(o.id)")
            }
            BigButton(s.next, { send(.confirm) }, enabled: !busy, tag: "confirm")
        case .text, .number, .date:
            Field(q.hint, state.typed, { send(.type(text: $0)) }, numeric: { if case .number = q.type { return true }; return false }(),
                  singleLine: { if case .text = q.type { return false }; return true }(), tag: "answer")
            BigButton(s.next, { send(.confirm) }, enabled: !busy && !state.typed.trimmingCharacters(in: .whitespaces).isEmpty, tag: "confirm")
        }
        if !q.required { BigButton(s.skip, { send(.skip) }, enabled: !busy, primary: false, tag: "skip") }
    }
}

/// A ticked box and the option's words, the whole row tappable (iOS has no checkbox of its own).
struct CheckboxStyle: ToggleStyle {
    func makeBody(configuration: Configuration) -> some View {
        Button { configuration.isOn.toggle() } label: {
            HStack(spacing: 8) {
                Image(systemName: configuration.isOn ? "checkmark.square.fill" : "square").font(.title2)
                configuration.label.font(.title3)
                Spacer()
            }
            .contentShape(Rectangle())
        }
        .buttonStyle(.plain)
        .accessibilityAddTraits(configuration.isOn ? .isSelected : [])
    }
}
