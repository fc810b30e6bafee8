public import Foundation

/// A webhook receiver on 127.0.0.1 (a Python HTTP server on a free port): each POST body is
/// appended as a line to a file, answered 204. For tests of packmand's notifications.
public final class WebhookReceiver: Sendable {
    public let port: Int
    public let file: URL
    let process: BackgroundProcess

    /// Starts the receiver, writing bodies to `folder/hooks` and its own output to `folder/receiver.log`.
    public init(in folder: URL) throws {
        file = folder.appendingPathComponent("hooks")
        process = try BackgroundProcess(
            "/usr/bin/python3",
            [
                "-c",
                """
                import http.server, sys
                class Hook(http.server.BaseHTTPRequestHandler):
                    def do_POST(self):
                        body = self.rfile.read(int(self.headers["Content-Length"]))
                        open(sys.argv[1], "ab").write(body + b"\\n")
                        self.send_response(204)
                        self.end_headers()
                    def log_message(self, *args):
                        pass
                server = http.server.HTTPServer(("127.0.0.1", 0), Hook)
                print("port", server.server_address[1], flush=True)
                server.serve_forever()
                """, file.path
            ], output: folder.appendingPathComponent("receiver.log"))
        guard process.wait(for: "port "),
            let port = process.text.split(separator: " ").last.flatMap({ Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) })
        else {
            process.kill()
            throw WebhookReceiverFailure(output: process.text)
        }
        self.port = port
    }

    /// `http://127.0.0.1:PORT/hook`.
    public var url: String { "http://127.0.0.1:\(port)/hook" }

    /// The bodies received so far, one a line.
    public var lines: [String] {
        ((try? String(contentsOf: file, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    public func stop() { process.kill() }
}

/// The receiver did not say which port it listens on.
public struct WebhookReceiverFailure: Error, CustomStringConvertible {
    public var output: String
    public var description: String { "the webhook receiver did not start: \(output)" }
}
