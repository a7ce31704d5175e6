/**
 * Saves text as a file through the browser's download machinery (Electron asks where to save
 * it; a browser puts it in its downloads). Nothing leaves the machine.
 */
export function saveTextFile(fileName: string, text: string, type = 'text/plain'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
