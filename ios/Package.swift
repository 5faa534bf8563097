// swift-tools-version:5.9
// The Swift package around the core: the generated Swift (Sources/HomewardFFI)
// over the XCFramework that scripts/build-ios makes from homeward-ffi.
// Not built on the project's Linux machines (no Swift toolchain or Xcode).
import PackageDescription

let package = Package(
    name: "HomewardFFI",
    platforms: [.iOS(.v15)],
    products: [
        .library(name: "HomewardFFI", targets: ["HomewardFFI"]),
    ],
    targets: [
        .binaryTarget(name: "HomewardFFIC", path: "HomewardFFIC.xcframework"),
        .target(name: "HomewardFFI", dependencies: ["HomewardFFIC"], path: "Sources/HomewardFFI"),
    ]
)
