// The few building blocks every screen uses, as in Kotlin's design/Components.kt:
// large touch targets (at least 48 points), a symbol and words for every
// state (the colour only repeats them), and accessibility identifiers equal
// to the Kotlin test tags so the UI tests read alike.

import SwiftUI

enum Tones {
    // The Kotlin theme's colours (0xFF1B5E20 ...), so both apps look alike.
    static let valid = Color(red: 27 / 255, green: 94 / 255, blue: 32 / 255)
    static let refused = Color(red: 176 / 255, green: 0, blue: 32 / 255)
    static let caution = Color(red: 138 / 255, green: 75 / 255, blue: 0)
    static let neutral = Color(red: 55 / 255, green: 71 / 255, blue: 79 / 255)
}

struct Screen<Content: View, Actions: View>: View {
    let title: String
    var onBack: (() -> Void)?
    @ViewBuilder var actions: () -> Actions
    @ViewBuilder var content: () -> Content
    @Environment(\.strings) var strings

    init(_ title: String, onBack: (() -> Void)? = nil,
         @ViewBuilder actions: @escaping () -> Actions,
         @ViewBuilder content: @escaping () -> Content) {
        self.title = title
        self.onBack = onBack
        self.actions = actions
        self.content = content
    }

    var body: some View {
        ScrollView {
            VStack(alignment: .leading, spacing: 12) { content() }
                .padding(16)
                .frame(maxWidth: .infinity, alignment: .leading)
        }
        .navigationTitle(title)
        .navigationBarTitleDisplayMode(.inline)
        .navigationBarBackButtonHidden(true)
        .toolbar {
            if let onBack {
                ToolbarItem(placement: .topBarLeading) {
                    Button(action: onBack) { Image(systemName: "chevron.backward") }
                        .accessibilityLabel(strings.back)
                        .accessibilityIdentifier("back")
                }
            }
            ToolbarItem(placement: .topBarTrailing) { actions() }
        }
    }
}

extension Screen where Actions == EmptyView {
    init(_ title: String, onBack: (() -> Void)? = nil, @ViewBuilder content: @escaping () -> Content) {
        self.init(title, onBack: onBack, actions: { EmptyView() }, content: content)
    }
}

struct BigButton: View {
    let text: String
    let action: () -> Void
    var enabled = true
    var primary = true
    /// Kotlin's test tag; a stored `tag` would read like View.tag(_:).
    var identifier: String

    init(_ text: String, _ action: @escaping () -> Void, enabled: Bool = true, primary: Bool = true, tag: String) {
        self.text = text
        self.action = action
        self.enabled = enabled
        self.primary = primary
        self.identifier = tag
    }

    var body: some View {
        Button(action: action) {
            Text(text).font(.title3.weight(.semibold)).frame(maxWidth: .infinity, minHeight: 48)
        }
        .buttonStyle(primary ? AnyPrimitiveButtonStyle(.borderedProminent) : AnyPrimitiveButtonStyle(.bordered))
        .disabled(!enabled)
        .accessibilityIdentifier(identifier)
    }
}

/// SwiftUI's button styles are distinct types; this picks one at run time.
struct AnyPrimitiveButtonStyle: PrimitiveButtonStyle {
    private let make: (Configuration) -> AnyView
    init<S: PrimitiveButtonStyle>(_ style: S) { make = { AnyView(style.makeBody(configuration: $0)) } }
    func makeBody(configuration: Configuration) -> some View { make(configuration) }
}

struct Field: View {
    let label: String
    let value: String
    /// Not `onChange`, which would read like View.onChange(of:).
    let onEdit: (String) -> Void
    var secret = false
    var numeric = false
    var singleLine = true
    var error: String?
    var identifier: String

    init(_ label: String, _ value: String, _ onChange: @escaping (String) -> Void, secret: Bool = false,
         numeric: Bool = false, singleLine: Bool = true, error: String? = nil, tag: String) {
        self.label = label
        self.value = value
        self.onEdit = onChange
        self.secret = secret
        self.numeric = numeric
        self.singleLine = singleLine
        self.error = error
        self.identifier = tag
    }

    var body: some View {
        let binding = Binding(get: { value }, set: onEdit)
        VStack(alignment: .leading, spacing: 4) {
            Text(label).font(.subheadline)
            Group {
                if secret {
                    SecureField(label, text: binding)
                } else if singleLine {
                    TextField(label, text: binding)
                } else {
                    TextField(label, text: binding, axis: .vertical).lineLimit(3...8)
                }
            }
            .textFieldStyle(.roundedBorder)
            .keyboardType(numeric ? .numberPad : .default)
            .textInputAutocapitalization(.never)
            .autocorrectionDisabled()
            // No AutoFill and no "save password" offer: the vault's PIN must not go to iCloud Keychain.
            .textContentType(secret ? .oneTimeCode : nil)
            .frame(minHeight: 48)
            .accessibilityIdentifier(identifier)
            if let error {
                Text("⚠ " + error).font(.callout).foregroundStyle(Tones.refused).accessibilityIdentifier(identifier + "-error")
            }
        }
    }
}

struct Notice: View {
    let symbol: String
    let text: String
    let color: Color
    var identifier: String?

    init(_ symbol: String, _ text: String, _ color: Color, tag: String? = nil) {
        self.symbol = symbol
        self.text = text
        self.color = color
        self.identifier = tag
    }

    var body: some View {
        HStack(alignment: .top, spacing: 8) {
            Text(symbol).font(.title3)
            Text(text).font(.body)
        }
        .foregroundStyle(color)
        .padding(12)
        .frame(maxWidth: .infinity, alignment: .leading)
        .overlay(RoundedRectangle(cornerRadius: 8).stroke(color, lineWidth: 2))
        .accessibilityElement(children: .combine)
        .accessibilityIdentifier(identifier ?? "")
    }
}

struct BodyText: View {
    let text: String
    init(_ text: String) { self.text = text }
    var body: some View { Text(text).font(.body) }
}

struct SectionTitle: View {
    let text: String
    init(_ text: String) { self.text = text }
    var body: some View { Text(text).font(.title3.bold()).padding(.top, 8) }
}

/// KY / RU / EN, the current one ticked (Kotlin's LanguageSwitch).
struct LanguageSwitch: View {
    let current: Lang
    let onSelect: (Lang) -> Void

    init(_ current: Lang, _ onSelect: @escaping (Lang) -> Void) {
        self.current = current
        self.onSelect = onSelect
    }

    var body: some View {
        HStack(spacing: 4) {
            ForEach(Lang.allCases, id: \.self) { l in
                Button((l == current ? "✓ " : "") + l.code.uppercased()) { onSelect(l) }
                    .fontWeight(l == current ? .bold : .regular)
                    .frame(minWidth: 48, minHeight: 48)
                    .accessibilityIdentifier("lang-" + l.code)
            }
        }
    }
}
