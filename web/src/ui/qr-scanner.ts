// Reads a QR code from the camera: the browser's BarcodeDetector where it
// exists (Android Chrome), else jsQR on video frames. Resolves with the
// text, or rejects when stopped or when no camera can be used.

interface Detector {
  detect(source: CanvasImageSource): Promise<{ rawValue: string }[]>;
}

export interface Scan {
  result: Promise<string>;
  stop(): void;
}

export function scanQr(video: HTMLVideoElement): Scan {
  let stopped = false;
  let stream: MediaStream | null = null;
  const stop = () => {
    stopped = true;
    stream?.getTracks().forEach((t) => t.stop());
    video.srcObject = null;
  };
  const result = (async () => {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
    if (stopped) throw new Error("stopped");
    video.srcObject = stream;
    video.setAttribute("playsinline", "");
    await video.play();
    const Native = (globalThis as unknown as { BarcodeDetector?: new (o: object) => Detector }).BarcodeDetector;
    const detector = Native ? new Native({ formats: ["qr_code"] }) : null;
    const jsQR = detector ? null : (await import("jsqr")).default;
    const canvas = document.createElement("canvas");
    const ctx = canvas.getContext("2d", { willReadFrequently: true })!;
    while (!stopped) {
      await new Promise((r) => setTimeout(r, 150));
      if (video.videoWidth === 0) continue;
      if (detector) {
        const codes = await detector.detect(video).catch(() => []);
        if (codes[0]) return codes[0].rawValue;
      } else {
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        ctx.drawImage(video, 0, 0);
        const img = ctx.getImageData(0, 0, canvas.width, canvas.height);
        const code = jsQR!(img.data, img.width, img.height);
        if (code?.data) return code.data;
      }
    }
    throw new Error("stopped");
  })().finally(stop);
  return { result, stop };
}
