// The query image: chosen with the file input or dropped on its box, previewed, removable.

/** Longest side sent to the API. The models see 224–512 px, so more only makes the request slower. */
const MAX_SIDE = 512;

/**
 * Wires the picker inside `zone` and returns `{current(), clear()}`: the chosen image as a data URL, or undefined.
 * `onProblem(message)` hears about files the browser cannot read as images.
 */
export function setupImagePicker(zone, onProblem) {
  const input = zone.querySelector('input[type=file]');
  const preview = zone.querySelector('.image-preview');
  const previewImage = preview.querySelector('img');
  let current;

  async function choose(file) {
    if (!file) return;
    try {
      current = await reencode(file);
    } catch {
      clear();
      onProblem(`${file.name} is not an image this browser can read`);
      return;
    }
    previewImage.src = current;
    preview.hidden = false;
  }

  function clear() {
    current = undefined;
    input.value = '';
    preview.hidden = true;
    previewImage.removeAttribute('src');
  }

  input.addEventListener('change', () => choose(input.files[0]));
  zone.addEventListener('dragover', (event) => {
    event.preventDefault();
    zone.classList.add('dragging');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('dragging'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('dragging');
    choose(event.dataTransfer.files[0]);
  });
  preview.querySelector('button').addEventListener('click', () => {
    clear();
    input.focus();
  });
  return { current: () => current, clear };
}

/**
 * The image as a JPEG data URL of at most MAX_SIDE px a side: whatever the browser decodes (GIF, AVIF, a 20 MB photo)
 * becomes a small image in a format the API accepts, and well under its limit (2,993,856 bytes decoded,
 * lib/query-encoder.ts): 512 × 512 pixels of noise make a JPEG of at most about 0.5 MB at this quality, and even a browser
 * that falls back to PNG writes at most about 1.1 MB (the raw RGBA 1 MiB and zlib's framing). tests/e2e/web.test.ts
 * sends a large noise photo through the page and checks what leaves it.
 */
async function reencode(file) {
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  canvas.getContext('2d').drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  return canvas.toDataURL('image/jpeg', 0.92);
}
