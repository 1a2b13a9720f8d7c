// The Uppy page of `npm run local`: stock @uppy/core + @uppy/aws-s3 (bundled from node_modules as window.UppyBundle)
// talking to the API's Companion-compatible routes. The only configuration beyond Companion's: the file's size in
// its metadata, because the API signs every upload for its exact size.
"use strict";
const config = window.DDN_LOCAL;
const user = new URLSearchParams(location.search).get("user") || "local-user";
const MULTIPART_ABOVE = 10 * 1024 * 1024;
const $ = (id) => document.getElementById(id);
const encodeKey = (key) => key.split("/").map(encodeURIComponent).join("/");
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
$("user").textContent = user;

const bearer = fetch(`${config.token}?${new URLSearchParams({ sub: user })}`).then(async (res) => {
  if (!res.ok) throw new Error(`token endpoint answered ${res.status}`);
  return `Bearer ${await res.text()}`;
});

async function api(path) {
  const res = await fetch(`${config.api}${path}`, { headers: { Authorization: await bearer } });
  return { status: res.status, body: await res.json().catch(() => ({})) };
}

/** The processing state of one of this user's files (`name` is relative to the user's key space). */
window.fileStatus = (name) => api(`/files/${encodeKey(name)}`);

/** Downloads one of this user's processed files: its size and SHA-256. */
window.download = async (name) => {
  const link = await api(`/presign?${new URLSearchParams({ file: name })}`);
  if (link.status !== 200) return { status: link.status };
  const res = await fetch(link.body.url);
  const bytes = await res.arrayBuffer();
  const digest = [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");
  return { status: res.status, size: bytes.byteLength, sha256: digest };
};

function row(file) {
  const tr = document.createElement("tr");
  tr.innerHTML = "<td></td><td class=key></td><td></td><td class=state>uploading</td>";
  tr.children[0].textContent = file.name;
  tr.children[2].textContent = file.size > MULTIPART_ABOVE ? "multipart" : "single PUT";
  tr.dataset.name = file.name;
  $("rows").append(tr);
  return tr;
}

function setState(tr, state, text) {
  tr.dataset.state = state;
  tr.querySelector(".state").textContent = text;
  tr.querySelector(".state").className = `state state-${state}`;
}

bearer.then((authorization) => {
  const uppy = new window.UppyBundle.Uppy({
    // Companion needs no size; this API signs Content-Length, so the size travels as metadata[size].
    onBeforeFileAdded: (file) => ({ ...file, meta: { ...file.meta, size: file.size } }),
  }).use(window.UppyBundle.AwsS3, {
    endpoint: config.api,
    headers: { authorization },
    shouldUseMultipart: (file) => file.size > MULTIPART_ABOVE,
  });
  const rows = new Map();
  uppy.on("upload-success", async (file, response) => {
    const tr = rows.get(file.id);
    const key = response.body?.key ?? "";
    tr.querySelector(".key").textContent = key;
    setState(tr, "uploaded", "processing");
    for (let i = 0; i < 600; i++) {
      const status = await window.fileStatus(file.name);
      if (status.status === 200 && status.body.status === "PROCESSED") return setState(tr, "processed", "processed");
      await sleep(100);
    }
    setState(tr, "failed", "not processed in time");
  });
  uppy.on("upload-error", (file, error) => setState(rows.get(file.id), "failed", `failed: ${error.message}`));
  $("files").addEventListener("change", () => {
    for (const file of $("files").files) {
      const id = uppy.addFile({ name: file.name, type: file.type, data: file, source: "input" });
      rows.set(id, row(file));
    }
    $("files").value = "";
    void uppy.upload();
  });
  document.body.dataset.ready = "true";
});
