// Mirrors android/app/shared/.../forward/Forward.kt: store and forward for a
// post without a link. My outbox as QR frames shown one after another (full
// brightness, like the certificate), a colleague's frames read with the
// camera (or a file), and what this device carries; each refusal of the
// core (code and reason) is shown at its step.

import SwiftUI

/// Which step a bundle refusal belongs to: it is shown there.
enum ForwardStep: Sendable {
    case export, reading, importing
}

struct ForwardState: Equatable, Sendable {
    /// Events waiting to sync: what a bundle made now would carry (nil until read).
    var waiting: Int?
    /// The bundle being shown: its frames loop on screen until the other phone has them all.
    var showing: Bool
    var frame: Int
    var frames: Int
    var qr: QrMatrix?
    /// Reading another device's frames: how far (nil when not reading).
    var reading: FrameCount?
    var imported: ForwardImported?
    var carried: [CarriedItem]
    var refusal: BundleRefusal?
    var refusalAt: ForwardStep?
    var busy: Bool
    var error: String?
}

enum ForwardEvent: Sendable {
    /// Seal what waits to sync into one bundle and show its frames.
    case export
    case stopShowing
    /// Read a colleague's bundle with the camera.
    case startReading
    case scanned(text: String)
    /// A bundle or receipts file, read from an SD card or USB stick.
    case importFile(contents: String)
    /// After a refusal: drop the frames read so far and begin again.
    case startAgain
}

@MainActor @Observable
final class ForwardViewModel {
    private(set) var state = ForwardState(waiting: nil, showing: false, frame: 0, frames: 0, qr: nil, reading: nil, imported: nil,
                                          carried: [], refusal: nil, refusalAt: nil, busy: false, error: nil)
    @ObservationIgnored private var qrs: [QrMatrix] = []
    @ObservationIgnored private var reader: FrameReaderPort?
    @ObservationIgnored private var loop: Task<Void, Never>?
    private let forward: ForwardPort
    /// About five frames a second: a phone camera reads each in one or two of its frames.
    private let framePeriod: Duration

    init(forward: ForwardPort, framePeriod: Duration = .milliseconds(200)) {
        self.forward = forward
        self.framePeriod = framePeriod
    }

    /// Kotlin's LaunchedEffect(refresh): what waits and what is carried.
    func load() async {
        do {
            state.waiting = try await background { [forward] in try forward.waiting() }
            state.carried = try await background { [forward] in try forward.carried() }
        } catch {
            state.error = reason(of: error)
        }
    }

    private func show(_ codes: [QrMatrix]) {
        qrs = codes
        loop?.cancel()
        state.frame = 0
        state.frames = codes.count
        state.qr = codes.first
        state.showing = !codes.isEmpty
        guard !codes.isEmpty else { return }
        // The frames loop until the officer stops: the carrier's phone may miss some.
        loop = Task { [weak self, framePeriod] in
            while !Task.isCancelled {
                try? await Task.sleep(for: framePeriod)
                guard let self, !self.qrs.isEmpty else { return }
                self.state.frame = (self.state.frame + 1) % self.qrs.count
                self.state.qr = self.qrs[self.state.frame]
            }
        }
    }

    private func refused(_ e: CoreException, at step: ForwardStep) -> Bool {
        guard e.kind == .bundleRefused else { return false }
        state.refusal = BundleRefusal(code: e.code ?? "", reason: e.reason)
        state.refusalAt = step
        return true
    }

    private func run(_ step: ForwardStep, _ block: @escaping @MainActor () async throws -> Void) -> Task<Void, Never> {
        if state.busy { return done() }
        state.busy = true
        state.error = nil
        state.refusal = nil
        state.refusalAt = nil
        return Task { [self] in
            do {
                try await block()
            } catch let e as CoreException {
                if !refused(e, at: step) { state.error = e.reason }
            } catch {
                state.error = reason(of: error)
            }
            state.busy = false
        }
    }

    private func finished(_ result: ForwardImported) async {
        state.imported = result
        reader = nil
        state.reading = nil
        await load()
    }

    @discardableResult
    func send(_ event: ForwardEvent) -> Task<Void, Never> {
        switch event {
        case .export:
            return run(.export) { [self, forward] in
                let codes = try await background { try forward.export().frames.map { try forward.qr(frame: $0) } }
                show(codes)
            }
        case .stopShowing:
            show([])
            return Task { await load() }
        case .startReading, .startAgain:
            reader = forward.reader()
            state.reading = FrameCount(received: 0, needed: 0, complete: false)
            state.imported = nil
            state.refusal = nil
            state.refusalAt = nil
        case let .scanned(text):
            // The camera reads each frame many times: only a reading in progress takes them.
            guard let r = reader, !state.busy else { return done() }
            return run(.reading) { [self] in
                let count = try await background { try r.push(frame: text) }
                state.reading = count
                guard count.complete else { return }
                do {
                    await finished(try await background { try r.finish() })
                } catch let e as CoreException where e.kind == .bundleRefused {
                    // The frames made a bundle the core refuses: the refusal is the import's.
                    reader = nil
                    state.reading = nil
                    _ = refused(e, at: .importing)
                }
            }
        case let .importFile(contents):
            return run(.importing) { [self, forward] in
                await finished(try await background { try forward.importFile(contents: contents) })
            }
        }
        return done()
    }
}

struct ForwardView: View {
    let state: ForwardState
    let send: (ForwardEvent) -> Void
    let onBack: () -> Void
    var scanner: Scanner?
    /// A bundle or receipts file (the document picker); nil hides the button.
    var pickFile: ((@escaping (String) -> Void) -> Void)?
    @Environment(\.strings) var s

    var body: some View {
        if state.showing {
            FramesShown(state: state, send: send)
        } else {
            Screen(s.forward, onBack: onBack) {
                if let w = state.waiting { BodyText(s.waitingToSync(w)).accessibilityIdentifier("waiting") }
                BigButton(s.showFrames, { send(.export) }, enabled: !state.busy && (state.waiting ?? 0) > 0, tag: "export")
                refusal(.export)

                SectionTitle(s.fromColleague)
                if let r = state.reading {
                    ProgressView(value: r.needed == 0 ? 0 : min(1, Double(r.received) / Double(r.needed)))
                        .accessibilityIdentifier("frames-progress")
                    BodyText(s.framesRead(r.received, r.needed)).accessibilityIdentifier("frames-read")
                    if let scanner { scanner.preview { send(.scanned(text: $0)) } }
                } else if scanner != nil {
                    BigButton(s.readFrames, { send(.startReading) }, enabled: !state.busy, tag: "read")
                }
                refusal(.reading)
                if let pickFile {
                    BigButton(s.importFile, { pickFile { send(.importFile(contents: $0)) } }, primary: false, enabled: !state.busy, tag: "import-file")
                }
                refusal(.importing)
                switch state.imported {
                case let .bundle(events)?: Notice("✓", s.bundleTaken(events), Tones.valid, tag: "imported")
                case let .receipts(applied, _)?: Notice("✓", s.receiptsApplied(applied), Tones.valid, tag: "imported")
                case nil: EmptyView()
                }
                if !state.carried.isEmpty {
                    SectionTitle(s.carrying)
                    ForEach(state.carried, id: \.bundleId) { c in
                        BodyText(line(c)).accessibilityIdentifier("carried-\(c.bundleId)")
                    }
                }
                if let error = state.error { Notice("⚠", error, Tones.refused, tag: "error") }
            }
        }
    }

    private func line(_ c: CarriedItem) -> String {
        let head: String
        switch c.state {
        case .pending: head = s.carriedPending(c.events)
        case .delivered: head = s.carriedDelivered(c.events)
        case .refused: head = s.carriedRefused(c.events)
        }
        return head + " · " + String(c.bundleId.suffix(8)) + (c.refusal.map { " · \($0)" } ?? "")
    }

    /// The core's refusal where its step is, with the one action that helps.
    @ViewBuilder
    private func refusal(_ step: ForwardStep) -> some View {
        if let r = state.refusal, state.refusalAt == step {
            Notice("✗", r.reason, Tones.refused, tag: "refusal-\(r.code)")
            if step != .export { BigButton(s.startAgain, { send(.startAgain) }, primary: false, tag: "start-again") }
        }
    }
}

/// One frame after another, full screen at full brightness, like a certificate's code.
private struct FramesShown: View {
    let state: ForwardState
    let send: (ForwardEvent) -> Void
    @Environment(\.strings) var s
    @State private var brightness: CGFloat?

    var body: some View {
        Screen(s.forward, onBack: { send(.stopShowing) }) {
            if let qr = state.qr, let image = QrImage.make(qr) {
                Image(decorative: image, scale: 1)
                    .interpolation(.none)
                    .resizable()
                    .aspectRatio(1, contentMode: .fit)
                    .accessibilityLabel(s.frameOf(state.frame + 1, state.frames))
                    .accessibilityIdentifier("frame-qr")
            }
            BodyText(s.frameOf(state.frame + 1, state.frames)).accessibilityIdentifier("frame-of")
            BodyText(s.holdToCamera)
            BigButton(s.stopShowing, { send(.stopShowing) }, tag: "stop-showing")
        }
        .onAppear {
            brightness = UIScreen.main.brightness
            UIScreen.main.brightness = 1
        }
        .onDisappear { if let b = brightness { UIScreen.main.brightness = b } }
    }
}
