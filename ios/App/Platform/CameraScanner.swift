// The camera's QR reader behind the small Scanner protocol (Verify.swift):
// AVFoundation's metadata output, QR only. Camera access is asked when the
// verify screen shows it; refused, nothing is shown and the manual entry
// field below (always there) is the way in. The decoded text goes to the
// core as it is; nothing is stored or logged.

import AVFoundation
import SwiftUI
import UIKit

struct CameraScanner: Scanner {
    func preview(onScanned: @escaping (String) -> Void) -> AnyView {
        AnyView(CameraPreview(onScanned: onScanned).frame(height: 280).clipShape(RoundedRectangle(cornerRadius: 8)))
    }
}

private struct CameraPreview: UIViewRepresentable {
    let onScanned: (String) -> Void

    func makeCoordinator() -> Coordinator { Coordinator(onScanned: onScanned) }

    func makeUIView(context: Context) -> PreviewView {
        let view = PreviewView()
        context.coordinator.attach(to: view)
        return view
    }

    func updateUIView(_ view: PreviewView, context: Context) {
        context.coordinator.onScanned = onScanned
    }

    static func dismantleUIView(_ view: PreviewView, coordinator: Coordinator) {
        coordinator.stop()
    }

    final class PreviewView: UIView {
        override class var layerClass: AnyClass { AVCaptureVideoPreviewLayer.self }
        var previewLayer: AVCaptureVideoPreviewLayer { layer as! AVCaptureVideoPreviewLayer }
    }

    final class Coordinator: NSObject, AVCaptureMetadataOutputObjectsDelegate {
        var onScanned: (String) -> Void
        private let session = AVCaptureSession()
        private let queue = DispatchQueue(label: "app.homeward.camera")
        private var last: String?

        init(onScanned: @escaping (String) -> Void) {
            self.onScanned = onScanned
        }

        func attach(to view: PreviewView) {
            view.previewLayer.session = session
            view.previewLayer.videoGravity = .resizeAspectFill
            AVCaptureDevice.requestAccess(for: .video) { [weak self] granted in
                guard granted, let self else { return }
                self.queue.async { self.configureAndStart() }
            }
        }

        private func configureAndStart() {
            guard let device = AVCaptureDevice.default(for: .video),
                  let input = try? AVCaptureDeviceInput(device: device),
                  session.canAddInput(input) else { return }
            session.beginConfiguration()
            session.addInput(input)
            let output = AVCaptureMetadataOutput()
            if session.canAddOutput(output) {
                session.addOutput(output)
                output.setMetadataObjectsDelegate(self, queue: .main)
                output.metadataObjectTypes = [.qr]
            }
            session.commitConfiguration()
            session.startRunning()
        }

        func stop() {
            queue.async { [session] in session.stopRunning() }
        }

        func metadataOutput(_ output: AVCaptureMetadataOutput, didOutput objects: [AVMetadataObject], from connection: AVCaptureConnection) {
            guard let code = objects.compactMap({ ($0 as? AVMetadataMachineReadableCodeObject)?.stringValue }).first,
                  code != last else { return }
            // The same code in every frame: sent once until another is seen.
            last = code
            onScanned(code)
        }
    }
}
