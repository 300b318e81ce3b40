// The knowledge base page, enhanced: drop files (or pick them) to upload them by fetch, then
// poll the documents' states every second until each is ready or failed. Without this script
// the upload form posts as an ordinary multipart form and the page shows the states on reload.
(() => {
  "use strict";

  const root = document.querySelector("[data-knowledge-base]");
  if (!root) return;
  const pageUrl = root.dataset.pageUrl;
  const documentsUrl = root.dataset.documentsUrl;
  const form = root.querySelector("form[data-upload]");
  const table = root.querySelector("#documents tbody");
  const POLL_MS = 1000;
  let polling = false;

  function inProgress() {
    return Array.from(table.querySelectorAll("[data-field=state]")).some(
      (label) => !label.classList.contains("ready") && !label.classList.contains("failed"),
    );
  }

  // The rows come from the server's own template: fetch the page and take its table body.
  async function refreshRows() {
    const response = await fetch(pageUrl, { credentials: "same-origin" });
    if (!response.ok) return;
    const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
    const body = fresh.querySelector("#documents tbody");
    if (body) table.replaceChildren(...Array.from(body.childNodes));
  }

  function show(row, documentState) {
    const label = row.querySelector("[data-field=state]");
    label.className = `pill ${documentState.status}`;
    label.textContent = documentState.status_label;
    const bar = row.querySelector("[data-field=progress]");
    bar.value = documentState.progress;
    bar.setAttribute("aria-label", `${documentState.filename}: ${documentState.progress} % done`);
    row.querySelector("[data-field=failure]").textContent = documentState.failure;
    row.querySelector("[data-field=chunks]").textContent = documentState.chunks_total || "—";
  }

  async function poll() {
    try {
      const response = await fetch(documentsUrl, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const state = await response.json();
      let unknown = false;
      for (const documentState of state.documents) {
        const row = table.querySelector(`tr[data-document-id="${documentState.id}"]`);
        if (row) show(row, documentState);
        else unknown = true;
      }
      if (unknown || table.rows.length !== state.documents.length) await refreshRows();
      if (state.done) {
        polling = false;
        return;
      }
    } catch (error) {
      console.warn("Could not read the documents' state; trying again.", error);
    }
    setTimeout(poll, POLL_MS);
  }

  function startPolling() {
    if (polling) return;
    polling = true;
    setTimeout(poll, POLL_MS);
  }

  if (inProgress()) startPolling();
  if (!form) return;

  const zone = form.querySelector(".drop-zone");
  const input = form.querySelector("input[type=file]");
  const submit = form.querySelector("button[type=submit]");
  const feedback = form.querySelector("#upload-feedback");
  const csrfToken = form.querySelector("input[name=csrfmiddlewaretoken]").value;

  function box(kind, lines) {
    const element = document.createElement("div");
    element.className = kind;
    element.setAttribute("role", kind === "error" ? "alert" : "status");
    const list = document.createElement("ul");
    for (const line of lines) {
      const item = document.createElement("li");
      item.textContent = line;
      list.append(item);
    }
    element.append(list);
    return element;
  }

  // say(["notice", [...]], ["error", [...]]): replace the feedback with these boxes.
  function say(...boxes) {
    feedback.replaceChildren(
      ...boxes.filter(([, lines]) => lines.length).map(([kind, lines]) => box(kind, lines)),
    );
  }

  async function upload(files) {
    if (!files.length) {
      say(["error", ["Choose or drop one or more files first."]]);
      return;
    }
    const body = new FormData(form);
    body.delete("file");
    for (const file of files) body.append("file", file);
    submit.disabled = true;
    say(["notice", [`Uploading ${files.length} file${files.length === 1 ? "" : "s"}…`]]);
    try {
      const response = await fetch(pageUrl, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": csrfToken },
      });
      if (!response.ok && response.status !== 400) throw new Error(`HTTP ${response.status}`);
      const outcome = await response.json();
      const queued = outcome.accepted.length ? [`Queued ${outcome.accepted.join(", ")}.`] : [];
      say(["notice", queued], ["error", outcome.refusals]);
      input.value = "";
      await refreshRows();
      startPolling();
    } catch (error) {
      say(["error", [`The upload did not go through (${error.message}): try again.`]]);
    } finally {
      submit.disabled = false;
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    upload(Array.from(input.files));
  });
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
    zone.classList.add("dragging");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("dragging");
    upload(Array.from(event.dataTransfer.files));
  });
  input.required = false; // dropping is another way in; an empty pick is simply ignored
})();
