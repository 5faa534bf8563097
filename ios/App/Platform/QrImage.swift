// The certificate's QR code as a bitmap: one pixel per module plus a
// 4-module quiet zone, drawn from the modules the core encoded (as the
// Android screen draws them), shown scaled up without smoothing so the
// edges stay sharp for a camera. CoreImage's CIQRCodeGenerator is used only
// if the core's modules are missing or malformed: it would choose its own
// mode and version, so a fallback, never the normal path.

import CoreGraphics
import Foundation
import CoreImage
import CoreImage.CIFilterBuiltins

enum QrImage {
    static let quiet = 4

    static func make(_ certificate: IssuedCertificate) -> CGImage? {
        let w = certificate.qrWidth
        guard w > 0, certificate.qrModules.count == w * w else { return generated(certificate.barcode) }
        return draw(width: w, modules: certificate.qrModules)
    }

    /// A store-and-forward frame's code, from the core's modules (ForwardPort.qr).
    static func make(_ frame: QrMatrix) -> CGImage? {
        guard frame.width > 0, frame.modules.count == frame.width * frame.width else { return nil }
        return draw(width: frame.width, modules: frame.modules)
    }

    private static func draw(width w: Int, modules: [Bool]) -> CGImage? {
        let n = w + 2 * quiet
        var pixels = [UInt8](repeating: 255, count: n * n)
        for y in 0..<w {
            for x in 0..<w where modules[y * w + x] {
                pixels[(y + quiet) * n + (x + quiet)] = 0
            }
        }
        guard let provider = CGDataProvider(data: Data(pixels) as CFData) else { return nil }
        return CGImage(width: n, height: n, bitsPerComponent: 8, bitsPerPixel: 8, bytesPerRow: n,
                       space: CGColorSpaceCreateDeviceGray(), bitmapInfo: CGBitmapInfo(rawValue: CGImageAlphaInfo.none.rawValue),
                       provider: provider, decode: nil, shouldInterpolate: false, intent: .defaultIntent)
    }

    /// CoreImage's own encoding of the barcode text (error correction M), with its quiet zone.
    static func generated(_ barcode: String) -> CGImage? {
        let filter = CIFilter.qrCodeGenerator()
        filter.message = Data(barcode.utf8)
        filter.correctionLevel = "M"
        guard let image = filter.outputImage else { return nil }
        return CIContext(options: [.useSoftwareRenderer: true]).createCGImage(image, from: image.extent)
    }
}
