// A camera for tests: a YUV4MPEG2 file showing a QR code, for Chromium's
// --use-file-for-fake-video-capture.
import { writeFileSync } from "node:fs";
import QRCode from "qrcode";

export function qrVideo(path, text, { width = 640, height = 480, frames = 5 } = {}) {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: "L" });
  const n = modules.size;
  const scale = Math.floor(Math.min(width, height) / (n + 8));
  const x0 = Math.floor((width - n * scale) / 2);
  const y0 = Math.floor((height - n * scale) / 2);
  const luma = Buffer.alloc(width * height, 235); // white
  for (let y = 0; y < n * scale; y++)
    for (let x = 0; x < n * scale; x++)
      if (modules.get(Math.floor(y / scale), Math.floor(x / scale))) luma[(y0 + y) * width + x0 + x] = 16;
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128);
  const frame = Buffer.concat([Buffer.from("FRAME\n"), luma, chroma]);
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`);
  writeFileSync(path, Buffer.concat([header, ...Array(frames).fill(frame)]));
}
