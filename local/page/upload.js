// The upload page of `npm run local`. Plain browser JavaScript, no build step. A real app gets its bearer token
// from its identity provider (an OIDC login); here the local token endpoint stands in for it.
"use strict";
const config = window.DDN_LOCAL;
const $ = (id) => document.getElementById(id);
let token;

async function bearer() {
  if (!token) {
    const res = await fetch(config.token);
    if (!res.ok) throw new Error(`token endpoint answered ${res.status}`);
    token = await res.text();
  }
  return `Bearer ${token}`;
}

/** A call to the API; errors carry the API's own {code, message}. */
async function api(path) {
  const res = await fetch(`${config.api}${path}`, { headers: { Authorization: await bearer() } });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(`${res.status} ${body.code || ""}: ${body.message || res.statusText}`);
  return body;
}

const encodeKey = (key) => key.split("/").map(encodeURIComponent).join("/");
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const hex = (buffer) => [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, "0")).join("");

/** PUT to the presigned URL with progress; resolves to the ETag S3 returned (exposed by the bucket's CORS). */
function put(url, headers, file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", url);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      if (xhr.status === 200) return resolve((xhr.getResponseHeader("ETag") || "").replace(/"/g, ""));
      const code = /<Code>([^<]*)<\/Code>/.exec(xhr.responseText || "");
      reject(new Error(`S3 refused the upload: ${xhr.status} ${code ? code[1] : ""}`));
    };
    xhr.onerror = () => reject(new Error("the upload was blocked (network or CORS)"));
    xhr.send(file);
  });
}

function addRow(key) {
  const tr = document.createElement("tr");
  tr.dataset.key = key;
  tr.innerHTML = '<td class="key"></td><td><progress max="1" value="0"></progress></td><td class="state">presigning</td><td><button disabled>download</button></td><td class="digest"></td>';
  tr.querySelector(".key").textContent = key;
  $("rows").append(tr);
  return { tr, progress: tr.querySelector("progress"), state: tr.querySelector(".state"), button: tr.querySelector("button"), digest: tr.querySelector(".digest") };
}

function setState(row, state, message) {
  row.state.textContent = message || state;
  row.state.className = `state state-${state}`;
  row.tr.dataset.state = state;
}

async function download(key, row) {
  try {
    const link = await api(`/presign?${new URLSearchParams({ file: key })}`);
    const res = await fetch(link.url);
    if (!res.ok) throw new Error(`download answered ${res.status}`);
    const bytes = await res.arrayBuffer();
    row.digest.textContent = `${bytes.byteLength} bytes, sha256 ${hex(await crypto.subtle.digest("SHA-256", bytes))}`;
    row.tr.dataset.downloaded = "true";
  } catch (e) {
    row.digest.textContent = e.message;
  }
}

async function upload(file) {
  const prefix = $("prefix").value.trim().replace(/^\/+|\/+$/g, "");
  const key = (prefix ? `${prefix}/` : "") + (file.webkitRelativePath || file.name);
  const row = addRow(key);
  try {
    const type = $("type").value.trim() || file.type;
    // The size is signed into the URL: S3 refuses a body of any other length.
    const query = new URLSearchParams({ mode: "upload", file: key, size: String(file.size) });
    if (type) query.set("contentType", type);
    const signed = await api(`/presign?${query}`);
    setState(row, "uploading", "uploading");
    const etag = await put(signed.url, signed.headers, file, (f) => (row.progress.value = f));
    row.progress.value = 1;
    setState(row, "pending", "processing");
    // The status of *this* upload (its ETag), not an older one of the same key.
    for (;;) {
      const status = await api(`/files/${encodeKey(key)}?etag=${encodeURIComponent(etag)}`);
      if (status.status === "PROCESSED") break;
      await sleep(250);
    }
    setState(row, "processed", "processed");
    row.button.disabled = false;
    row.button.onclick = () => download(key, row);
  } catch (e) {
    setState(row, "failed", e.message);
  }
}

function take(files) {
  $("error").textContent = "";
  for (const file of files) upload(file);
}

$("files").addEventListener("change", (e) => take(e.target.files));
$("folder").addEventListener("change", (e) => take(e.target.files));
const drop = $("drop");
drop.addEventListener("dragover", (e) => (e.preventDefault(), drop.classList.add("over")));
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (e) => (e.preventDefault(), drop.classList.remove("over"), take(e.dataTransfer.files)));
window.addEventListener("unhandledrejection", (e) => ($("error").textContent = String(e.reason && e.reason.message)));
