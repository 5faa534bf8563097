// The screens' words, as Kotlin's LocalStrings: the app's language at the
// root, the screening session's language under the screening and outcome.

import SwiftUI

private struct StringsKey: EnvironmentKey {
    static let defaultValue = Strings(.en)
}

extension EnvironmentValues {
    var strings: Strings {
        get { self[StringsKey.self] }
        set { self[StringsKey.self] = newValue }
    }
}
