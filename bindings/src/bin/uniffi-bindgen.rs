//! The workspace's own `uniffi-bindgen`, so the generated sources always
//! match the uniffi version the library was built with.

fn main() {
    uniffi::uniffi_bindgen_main()
}
