// The playground's page script: streams answers from the chat endpoint (server-sent events
// over fetch, so Stop can abort the call), renders them as Markdown built from DOM nodes
// (model text only ever reaches the page through textContent), shows tokens, latency, cost,
// citations (and the answer's [n] markers, linked to them) and failures in place, takes
// feedback, copies, regenerates and edits-and-resends, continues conversations and fills
// prompt templates. Plain browser APIs, no library.
"use strict";

(() => {
  const root = document.querySelector("[data-playground]");
  if (!root) return;
  const config = JSON.parse(document.getElementById("playground-config").textContent);
  const csrf = root.querySelector("[name=csrfmiddlewaretoken]").value;
  const form = root.querySelector("[data-composer]");
  const prompt = form.elements.prompt;
  const sendButton = form.querySelector("[data-send]");
  const stopButton = form.querySelector("[data-stop]");
  const logs = { chat: form.querySelector("[data-log=chat]"), compare: form.querySelector("[data-log=compare]") };
  const maxTokens = form.elements.max_tokens;
  const problem = form.querySelector("[data-form-problem]");

  // On a phone the conversations open as a drawer: the button says whether it is open; Close,
  // or Escape closes it (and following a conversation loads its own page).
  const drawer = root.querySelector(".pg-history");
  const historyToggle = root.querySelector("[data-history-toggle]");
  const showHistory = (open) => {
    drawer.classList.toggle("open", open);
    historyToggle.setAttribute("aria-expanded", String(open));
    (open ? drawer.querySelector("a, input, button") : historyToggle).focus();
  };
  historyToggle.addEventListener("click", () => showHistory(!drawer.classList.contains("open")));
  root.querySelector("[data-history-close]").addEventListener("click", () => showHistory(false));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && drawer.classList.contains("open")) showHistory(false);
  });
  const active = new Set();
  let busy = false;
  let mode = "chat";
  let conversationId = config.conversation;

  // --- DOM helpers --------------------------------------------------------------------
  function el(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (name === "text") node.textContent = value;
      else if (name === "className") node.className = value;
      else if (value !== null && value !== undefined && value !== false) node.setAttribute(name, value);
    }
    node.append(...children);
    return node;
  }

  const SVG = "http://www.w3.org/2000/svg";
  // Feather icons (MIT): thumbs up and down.
  const THUMBS = {
    up: "M14 9V5a3 3 0 0 0-3-3l-4 9v11h11.28a2 2 0 0 0 2-1.7l1.38-9a2 2 0 0 0-2-2.3zM7 22H4a2 2 0 0 1-2-2v-7a2 2 0 0 1 2-2h3",
    down: "M10 15v4a3 3 0 0 0 3 3l4-9V2H5.72a2 2 0 0 0-2 1.7l-1.38 9a2 2 0 0 0 2 2.3zm7-13h2.67A2.31 2.31 0 0 1 22 4v7a2.31 2.31 0 0 1-2.33 2H17",
  };
  function icon(path) {
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    const shape = document.createElementNS(SVG, "path");
    shape.setAttribute("d", path);
    svg.append(shape);
    return svg;
  }

  // --- Markdown: a small, safe subset, built as DOM nodes ------------------------------
  const SAFE_URL = /^(https?:\/\/|mailto:)/i;
  const INLINE = /(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)|\[([^\]\n]+)\]\(([^)\s]+)\)|\*\*(?=\S)([\s\S]+?)\*\*|__(?=\S)([\s\S]+?)__|\*(?=\S)([^*\n]+?)\*|\b_(?=\S)([^_\n]+?)_\b|\[(\d{1,3})\](?!\()|\n/g;
  const FENCE = /^\s{0,3}(`{3,}|~{3,})\s*([\w+#.-]*)/;
  const HEADING = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
  const RULE = /^\s{0,3}([-*_])(\s*\1){2,}\s*$/;
  const ITEM = /^(\s*)([-*+]|\d{1,9}[.)])\s+(.*)$/;
  const QUOTE = /^\s{0,3}>\s?(.*)$/;

  // `refs(n)`: the n-th source of the answer being rendered, or null (then `[n]` stays text).
  function inline(text, into, refs) {
    let last = 0;
    for (const match of text.matchAll(INLINE)) {
      if (match.index > last) into.append(text.slice(last, match.index));
      last = match.index + match[0].length;
      if (match[1]) into.append(el("code", { text: match[2] }));
      else if (match[3] !== undefined) {
        if (SAFE_URL.test(match[4])) {
          const link = el("a", { href: match[4], rel: "noopener noreferrer nofollow", target: "_blank" });
          inline(match[3], link, refs);
          into.append(link);
        } else into.append(match[0]);
      } else if (match[5] !== undefined || match[6] !== undefined) {
        const strong = el("strong");
        inline(match[5] ?? match[6], strong, refs);
        into.append(strong);
      } else if (match[7] !== undefined || match[8] !== undefined) {
        const em = el("em");
        inline(match[7] ?? match[8], em, refs);
        into.append(em);
      } else if (match[9] !== undefined) {
        const ref = refs ? refs(Number(match[9])) : null;
        into.append(ref || match[0]);
      } else into.append(el("br"));
    }
    if (last < text.length) into.append(text.slice(last));
  }

  function renderMarkdown(text, into, refs) {
    const lines = text.replace(/\r\n?/g, "\n").split("\n");
    const blocks = document.createDocumentFragment();
    let paragraph = [];
    const flush = () => {
      if (!paragraph.length) return;
      const p = el("p");
      inline(paragraph.join("\n"), p, refs);
      blocks.append(p);
      paragraph = [];
    };
    let i = 0;
    while (i < lines.length) {
      const line = lines[i];
      const fence = line.match(FENCE);
      if (fence) {
        flush();
        const code = [];
        i += 1;
        while (i < lines.length && !lines[i].trim().startsWith(fence[1])) code.push(lines[i++]);
        i += 1; // the closing fence (while streaming there may be none yet)
        const block = el("code", { text: code.join("\n") });
        if (fence[2]) block.dataset.language = fence[2];
        blocks.append(el("pre", {}, block));
        continue;
      }
      const heading = line.match(HEADING);
      if (heading) {
        flush();
        // Answers sit under the page's own h1/h2: their headings start at h3.
        const h = el(`h${Math.min(6, heading[1].length + 2)}`);
        inline(heading[2], h, refs);
        blocks.append(h);
        i += 1;
        continue;
      }
      if (RULE.test(line)) {
        flush();
        blocks.append(el("hr"));
        i += 1;
        continue;
      }
      if (QUOTE.test(line)) {
        flush();
        const quoted = [];
        while (i < lines.length && QUOTE.test(lines[i])) quoted.push(lines[i++].match(QUOTE)[1]);
        const quote = el("blockquote");
        renderMarkdown(quoted.join("\n"), quote, refs);
        blocks.append(quote);
        continue;
      }
      const item = line.match(ITEM);
      if (item) {
        flush();
        const ordered = /\d/.test(item[2]);
        const list = el(ordered ? "ol" : "ul");
        if (ordered && parseInt(item[2], 10) !== 1) list.start = parseInt(item[2], 10);
        const items = [];
        while (i < lines.length) {
          const next = lines[i].match(ITEM);
          if (next && /\d/.test(next[2]) === ordered) items.push([next[3]]);
          else if (items.length && lines[i].trim() && /^\s+/.test(lines[i])) {
            items[items.length - 1].push(lines[i].trim()); // a continuation line of the item
          } else break;
          i += 1;
        }
        for (const parts of items) {
          const li = el("li");
          inline(parts.join("\n"), li, refs);
          list.append(li);
        }
        blocks.append(list);
        continue;
      }
      if (!line.trim()) flush();
      else paragraph.push(line);
      i += 1;
    }
    flush();
    into.replaceChildren(blocks);
  }

  // --- Formatting -----------------------------------------------------------------------
  const integer = new Intl.NumberFormat();
  function money(cost, currency) {
    if (cost === null || cost === undefined || cost === "") return "cost not priced";
    const value = Number(cost);
    try {
      return new Intl.NumberFormat(undefined, {
        style: "currency", currency: currency || "USD", minimumFractionDigits: 0,
        maximumSignificantDigits: value === 0 ? 1 : 3,
      }).format(value);
    } catch {
      return `${value} ${currency}`;
    }
  }
  function duration(ms) {
    return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms} ms`;
  }

  // --- One answer on the page -------------------------------------------------------------
  const SLOW_START_MS = 1500; // no first word by then: say that the model is still starting
  let cards = 0;
  // `options.onRegenerate`: asks the same prompt again (the answer's Regenerate button).
  function answerCard(model, options = {}) {
    const key = `answer-${++cards}`;
    const state = el("span", { className: "pg-state", "data-testid": "answer-state" });
    const body = el("div", { className: "pg-answer", "data-testid": "answer" });
    const card = el("article", { className: "pg-turn assistant", "data-testid": "assistant-turn", "aria-label": `Answer from ${model}` },
      el("div", { className: "pg-turn-head" }, el("span", { className: "pg-model", text: model }), state),
      body);
    let text = "";
    let citations = [];
    let slow = null;
    // `[n]` in the answer: a link to its n-th source below (only for a source it has).
    const refs = (n) => {
      const citation = citations.find((c) => c.number === n);
      if (!citation) return null;
      return el("a", { href: `#${key}-source-${n}`, className: "pg-ref", "data-testid": "citation-ref",
        title: [citation.filename, citation.heading].filter(Boolean).join(" · "), text: `[${n}]` });
    };
    body.addEventListener("click", (event) => {
      const link = event.target.closest("a.pg-ref");
      const source = link && document.getElementById(link.hash.slice(1));
      if (!source) return;
      event.preventDefault();
      source.scrollIntoView({ block: "nearest" });
      source.querySelector("button").focus();
    });
    const render = () => renderMarkdown(text, body, refs);
    function actions() {
      const group = el("div", { className: "pg-answer-actions", role: "group", "aria-label": "This answer" });
      const said = el("span", { className: "pg-said", "aria-live": "polite", "data-testid": "action-status" });
      if (text.trim()) {
        const copy = el("button", { type: "button", className: "secondary small", text: "Copy", title: "Copy the answer" });
        copy.addEventListener("click", async () => {
          try {
            await navigator.clipboard.writeText(text);
            said.textContent = "Copied.";
          } catch {
            said.textContent = "Your browser did not allow copying: select the text and copy it.";
          }
        });
        group.append(copy);
      }
      if (options.onRegenerate) {
        const again = el("button", { type: "button", className: "secondary small", "data-regenerate": "", text: "Regenerate", title: "Ask the same prompt again" });
        again.addEventListener("click", () => options.onRegenerate());
        group.append(again);
      }
      group.append(said);
      return group;
    }
    const api = {
      node: card,
      streaming() {
        card.setAttribute("aria-busy", "true");
        state.className = "pg-state streaming";
        state.textContent = "Writing…";
        slow = setTimeout(() => {
          if (!text) state.textContent = "Loading the model… the first words can take a few seconds.";
        }, SLOW_START_MS);
      },
      append(piece) {
        text += piece;
        if (text) state.textContent = "Writing…";
        render();
        follow();
      },
      setText(value) {
        text = value;
        render();
      },
      setCitations(list) {
        citations = list || [];
        render();
      },
      finish(status) {
        clearTimeout(slow);
        card.removeAttribute("aria-busy");
        state.className = "pg-state";
        state.textContent = { ok: "", stopped: "Stopped", error: "Failed" }[status] ?? "";
        if (status === "ok" && !text.trim()) body.append(el("p", { className: "muted", text: "(The model returned an empty answer.)" }));
        if (citations.length) card.append(sources(citations, key));
        card.append(actions());
      },
      fail(failure) {
        api.finish("error");
        card.append(el("div", { className: "pg-failure", role: "alert", "data-testid": "failure" },
          el("strong", { text: failure.title }), el("span", { text: failure.message })));
      },
      stopped() {
        api.finish("stopped");
        card.append(el("p", { className: "pg-note", text: "You stopped this answer; what was written so far is kept in the conversation." }));
      },
      done(data) {
        api.finish("ok");
        card.append(el("div", { className: "pg-turn-foot" }, metrics(data), feedback(data.turn_id, data.feedback)));
      },
    };
    return api;
  }

  function metrics(data) {
    const chip = (field, label, title) => el("span", { "data-field": field, title, text: label });
    return el("div", { className: "pg-metrics", "data-testid": "metrics" },
      chip("input_tokens", `${integer.format(data.input_tokens)} tokens in`, "Input tokens"),
      chip("output_tokens", `${integer.format(data.output_tokens)} tokens out`, "Output tokens"),
      chip("latency", duration(data.latency_ms), "Latency"),
      chip("cost", money(data.cost, data.currency), "Cost of this answer"));
  }

  // --- Citations ------------------------------------------------------------------------
  const citationDialog = document.getElementById("citation-dialog");
  function sources(citations, key) {
    const list = el("ol");
    for (const citation of citations) {
      const section = (citation.heading || "").split(" > ").pop();
      const where = [citation.filename, section, citation.page ? `page ${citation.page}` : ""].filter(Boolean).join(" · ");
      const button = el("button", { type: "button", className: "pg-cite", "data-testid": "citation",
        title: [citation.filename, citation.heading].filter(Boolean).join(" · ") },
        el("b", { text: `[${citation.number}]` }), ` ${where}`);
      button.addEventListener("click", () => openCitation(citation));
      list.append(el("li", { id: `${key}-source-${citation.number}` }, button));
    }
    return el("div", { className: "pg-sources" }, el("h4", { text: "Sources" }), list);
  }
  function openCitation(citation) {
    citationDialog.querySelector("[data-citation-title]").textContent = `[${citation.number}] ${citation.filename}`;
    const meta = [citation.heading, citation.page ? `page ${citation.page}` : "", `passage ${citation.chunk_index + 1}`].filter(Boolean);
    citationDialog.querySelector("[data-citation-meta]").textContent = meta.join(" · ");
    citationDialog.querySelector("[data-citation-text]").textContent = citation.text;
    citationDialog.showModal();
  }

  // --- Feedback -------------------------------------------------------------------------
  function feedback(turnId, given) {
    const url = config.feedbackUrl.replace("/0/", `/${turnId}/`);
    const group = el("div", { className: "pg-feedback", role: "group", "aria-label": "Feedback on this answer", "data-testid": "feedback" });
    const status = el("span", { role: "status" });
    const comment = el("input", { name: "comment", maxlength: "4000", "aria-label": "Comment on this answer", placeholder: "What was good or wrong? (optional)" });
    const commentForm = el("form", { className: "pg-comment", hidden: "" }, comment, el("button", { type: "submit", className: "secondary", text: "Save comment" }));
    let rating = given ? given.rating : null;
    if (given) comment.value = given.comment;
    const buttons = ["up", "down"].map((value) => {
      const button = el("button", { type: "button", className: "icon", "data-rating": value, "aria-pressed": String(rating === value),
        "aria-label": value === "up" ? "Good answer" : "Bad answer", title: value === "up" ? "Good answer" : "Bad answer" }, icon(THUMBS[value]));
      button.addEventListener("click", () => {
        rating = value;
        for (const other of buttons) other.setAttribute("aria-pressed", String(other === button));
        commentForm.hidden = false;
        send("Thanks: your verdict is saved.");
      });
      return button;
    });
    if (rating) commentForm.hidden = false;
    commentForm.addEventListener("submit", (event) => {
      event.preventDefault();
      send("Thanks: your comment is saved.");
    });
    async function send(thanks) {
      status.textContent = "";
      const response = await post(url, { rating, comment: comment.value });
      status.classList.toggle("failed", !response.ok);
      status.textContent = response.ok ? thanks : (await failureOf(response)).message;
    }
    group.append(...buttons, status, commentForm);
    return group;
  }

  // --- Talking to the server ----------------------------------------------------------------
  function post(url, body, signal) {
    return fetch(url, {
      method: "POST", body: JSON.stringify(body), signal, credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
    });
  }
  async function failureOf(response) {
    try {
      const data = await response.json();
      if (data.error && data.error.title) return data.error;
    } catch {
      // not JSON: described below by its status
    }
    if (response.status === 403 || response.status === 401) {
      return { title: "Signed out", message: "Your session has ended: reload the page and sign in again." };
    }
    return { title: "Something went wrong", message: `The portal answered ${response.status}. Try again in a moment.` };
  }
  function parseEvent(raw) {
    let name = "message";
    const data = [];
    for (const line of raw.split("\n")) {
      if (line.startsWith("event:")) name = line.slice(6).trim();
      else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
    }
    return { name, data: data.length ? JSON.parse(data.join("\n")) : null };
  }

  async function streamAnswer(body, card, onStart) {
    const controller = new AbortController();
    active.add(controller);
    card.streaming();
    let settled = false;
    try {
      const response = await post(config.chatUrl, body, controller.signal);
      const kind = response.headers.get("Content-Type") || "";
      if (!response.ok || !kind.startsWith("text/event-stream")) {
        card.fail(await failureOf(response));
        return;
      }
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let cut;
        while ((cut = buffer.indexOf("\n\n")) >= 0) {
          const event = parseEvent(buffer.slice(0, cut));
          buffer = buffer.slice(cut + 2);
          if (event.name === "start") {
            card.setCitations(event.data.citations);
            if (onStart) onStart(event.data);
          } else if (event.name === "delta") card.append(event.data.text);
          else if (event.name === "done") {
            settled = true;
            card.done(event.data);
          } else if (event.name === "failure") {
            settled = true;
            card.fail(event.data);
          }
        }
      }
      if (!settled) card.fail({ title: "The answer was cut off", message: "The connection closed before the answer was complete. Send it again." });
    } catch (error) {
      if (error.name === "AbortError") card.stopped();
      else card.fail({ title: "No connection", message: "The portal could not be reached. Check your connection and send it again." });
    } finally {
      active.delete(controller);
    }
  }

  // --- The form -----------------------------------------------------------------------------
  function parameters() {
    const number = (name) => {
      const raw = form.elements[name].value.trim();
      return raw === "" ? undefined : Number(raw);
    };
    const stop = form.elements.stop.value.split("\n").map((s) => s.trim()).filter(Boolean);
    return {
      system: form.elements.system.value,
      temperature: number("temperature"),
      top_p: number("top_p"),
      max_tokens: number("max_tokens"),
      stop: stop.length ? stop : undefined,
      knowledge_base_id: form.elements.knowledge_base_id.value || undefined,
    };
  }
  function modelLabel(name) {
    const option = [...form.elements.model.options].find((o) => o.value === name);
    return option ? option.textContent : name;
  }

  let following = true;
  window.addEventListener("scroll", () => {
    following = window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 120;
  }, { passive: true });
  function follow() {
    if (following) window.scrollTo({ top: document.documentElement.scrollHeight });
  }

  function setBusy(now) {
    busy = now;
    sendButton.disabled = now;
    stopButton.hidden = !now;
    if (!now) prompt.focus();
  }
  // One thing at a time: a send, a regenerate or an edited prompt.
  async function run(task) {
    if (busy) return;
    setBusy(true);
    try {
      await task();
    } finally {
      setBusy(false);
    }
  }

  function userTurn(text) {
    const node = el("div", { className: "pg-turn user", "data-testid": "user-turn" }, el("p", { className: "pg-user-text", text }));
    node.promptText = text;
    return node;
  }

  // A prompt of the chat that can be edited and sent again (Open WebUI's pencil).
  function editable(node) {
    const edit = el("button", { type: "button", className: "secondary small pg-edit", text: "Edit", title: "Edit this prompt and send it again" });
    edit.addEventListener("click", () => startEditing(node));
    node.append(edit);
    return node;
  }
  function startEditing(node) {
    if (busy || node.querySelector(".pg-editor")) return;
    const box = el("textarea", { rows: "3", "aria-label": "Edited prompt" });
    box.value = node.promptText;
    const note = el("p", { className: "hint", text: "Sending replaces this prompt, and everything after it, in the conversation." });
    const cancel = el("button", { type: "button", className: "secondary", text: "Cancel" });
    const send = el("button", { type: "button", text: "Send edited prompt" });
    const editor = el("div", { className: "pg-editor" }, box, note, el("div", { className: "pg-actions" }, el("span", { className: "pg-spacer" }), cancel, send));
    const shown = [...node.children];
    for (const child of shown) child.hidden = true;
    node.append(editor);
    box.focus();
    cancel.addEventListener("click", () => {
      editor.remove();
      for (const child of shown) child.hidden = false;
    });
    send.addEventListener("click", () => {
      const edited = box.value.trim();
      if (!edited) {
        note.className = "error";
        note.textContent = "Write a prompt first.";
        return;
      }
      resend(node, edited);
    });
  }
  // Ask `text` in place of the prompt `node` shows: it and what follows leave the page (and the
  // conversation, on the server), and the new exchange takes their place.
  function resend(node, text) {
    if (busy) return;
    const replaceFrom = node.dataset.question;
    for (let next = node; next;) {
      const after = next.nextElementSibling;
      next.remove();
      next = after;
    }
    run(() => sendChat(text, replaceFrom));
  }

  function clearIntro(log) {
    for (const hint of log.querySelectorAll(".pg-hint")) hint.remove();
  }

  function titled(text) {
    return text.split(/\s+/).join(" ").slice(0, 80);  // as the server titles a new conversation
  }

  // A new conversation at the top of the history; `current` makes it the one being continued.
  // `comparison`: the comparison it is a column of, reopened by its "side by side" link.
  function remember(id, title, model, current = true, comparison = null) {
    if (current) {
      conversationId = id;
      history.replaceState(null, "", `${config.pageUrl}?conversation=${id}`);
      document.title = `${title} · ${config.pageTitle}`;
      document.getElementById("playground-heading").textContent = title;
    }
    const item = document.getElementById("conversation-item").content.firstElementChild.cloneNode(true);
    for (const node of item.querySelectorAll("[href], [action]")) {
      for (const attribute of ["href", "action"]) {
        if (node.hasAttribute(attribute)) node.setAttribute(attribute, node.getAttribute(attribute).replace("__id__", id));
      }
    }
    item.dataset.conversation = id;
    const link = item.querySelector("a");
    link.textContent = title;
    item.querySelector("[data-model]").textContent = model;
    if (comparison) {
      const sideBySide = item.querySelector("[data-comparison-link]");
      sideBySide.href = `${config.pageUrl}?comparison=${comparison}`;
      sideBySide.hidden = false;
    }
    item.querySelector("summary").setAttribute("aria-label", `Rename or delete ${title}`);
    item.querySelector("input[name=title]").value = title;
    if (current) {
      for (const other of root.querySelectorAll("[data-conversations] a[aria-current]")) other.removeAttribute("aria-current");
      link.setAttribute("aria-current", "page");
    }
    root.querySelector("[data-conversations]").prepend(item);
    root.querySelector("[data-no-conversations]").hidden = true;
  }

  async function sendChat(text, replaceFrom) {
    const log = logs.chat;
    clearIntro(log);
    const model = form.elements.model.value;
    const asked = editable(userTurn(text));
    // A refused regeneration or edit leaves the prompt it would replace in the conversation:
    // asking again replaces that one (a started answer names its own question).
    if (conversationId && replaceFrom) asked.dataset.question = replaceFrom;
    log.append(asked);
    const card = answerCard(modelLabel(model), { onRegenerate: () => resend(asked, text) });
    log.append(card.node);
    follow();
    const body = { ...parameters(), prompt: text, model, conversation_id: conversationId || undefined,
      replace_from: conversationId && replaceFrom ? replaceFrom : undefined };
    await streamAnswer(body, card, (start) => {
      asked.dataset.question = start.question_id;
      if (!conversationId) remember(start.conversation_id, titled(text), model);
    });
  }

  function comparedModels() {
    return [...new Set([...form.querySelectorAll("[data-compare-select]")].map((s) => s.value).filter(Boolean))];
  }

  // One model's column of a comparison: a conversation of its own, listed at once (not made
  // current); Regenerate asks that model again in the same column. `existing`: a column
  // reopened with its conversation, prompt and answer.
  function compareColumn(columns, text, model, shared, existing = null) {
    let conversation = existing ? existing.conversation : null;
    let question = existing ? existing.question : null;
    let shown = null;
    const place = (card) => {
      if (shown) shown.replaceWith(card.node);
      else columns.append(card.node);
      shown = card.node;
    };
    const ask = () => {
      const card = answerCard(modelLabel(model), { onRegenerate: () => run(ask) });
      place(card);
      const body = { ...(shared || parameters()), prompt: text, model };
      if (conversation && question) Object.assign(body, { conversation_id: conversation, replace_from: question });
      else if (existing) body.comparison_id = existing.comparison;
      else body.comparison_id = shared.comparison_id;
      return streamAnswer(body, card, (start) => {
        if (!conversation) remember(start.conversation_id, titled(text), model, false, body.comparison_id);
        conversation = start.conversation_id;
        question = start.question_id;
      });
    };
    if (!existing) return ask();
    const card = answerCard(modelLabel(model), { onRegenerate: () => run(ask) });
    place(card);
    if (existing.answer) showTurn(card, existing.answer);
    return Promise.resolve();
  }

  function newId() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  function compareRow(text, count) {
    const columns = el("div", { className: "pg-columns", style: `--columns: ${count}` });
    logs.compare.append(el("section", { className: "pg-compare-row", "aria-label": "Comparison" }, userTurn(text), columns));
    return columns;
  }

  async function sendCompare(text) {
    const chosen = comparedModels();
    clearIntro(logs.compare);
    const columns = compareRow(text, chosen.length);
    // The comparison's address reopens it side by side.
    const shared = { ...parameters(), comparison_id: newId() };
    history.replaceState(null, "", `${config.pageUrl}?comparison=${shared.comparison_id}`);
    document.title = `Comparison: ${titled(text)} · ${config.pageTitle}`;
    await Promise.all(chosen.map((model) => compareColumn(columns, text, model, shared)));
  }

  // A comparison reopened from its address: the prompt, and each model's latest answer.
  async function loadComparison(ids, comparison) {
    selectMode("compare");
    const found = (await Promise.all(ids.map(async (id) => {
      const response = await fetch(config.conversationUrl.replace(/[0-9a-f-]{36}/, id), { credentials: "same-origin" });
      return response.ok ? response.json() : null;
    }))).filter(Boolean);
    if (!found.length) return;
    clearIntro(logs.compare);
    const first = found[0];
    setField("system", first.system_prompt);
    setField("knowledge_base_id", first.knowledge_base_id);
    for (const name of ["temperature", "top_p", "max_tokens", "stop"]) setField(name, first.parameters[name]);
    found.forEach((conversation, index) => setField(`compare_${"ABC"[index]}`, conversation.model));
    followLimit();
    const last = (turns, role) => [...turns].reverse().find((turn) => turn.role === role);
    const text = (last(first.turns, "user") || { content: first.title }).content;
    const columns = compareRow(text, found.length);
    for (const conversation of found) {
      const question = last(conversation.turns, "user");
      compareColumn(columns, text, conversation.model, null, {
        conversation: conversation.id, question: question ? question.id : null,
        answer: last(conversation.turns, "assistant"), comparison,
      });
    }
  }

  // --- Max tokens follows the model ----------------------------------------------------------
  function limitOf(name) {
    const option = [...form.elements.model.options].find((o) => o.value === name);
    return option ? Number(option.dataset.maxOutput) || undefined : undefined;
  }
  function outputLimit() {
    const limits = (mode === "compare" ? comparedModels() : [form.elements.model.value]).map(limitOf).filter(Boolean);
    return limits.length ? Math.min(...limits) : undefined;
  }
  function followLimit() {
    const limit = outputLimit();
    if (limit) {
      maxTokens.max = String(limit);
      maxTokens.title = `At most ${integer.format(limit)} for ${mode === "compare" ? "the models chosen" : "this model"}`;
    } else {
      maxTokens.removeAttribute("max");
      maxTokens.title = "";
    }
  }
  form.elements.model.addEventListener("change", followLimit);
  for (const select of form.querySelectorAll("[data-compare-select]")) select.addEventListener("change", followLimit);

  function problemWith(text) {
    if (!text) return "Write a prompt first.";
    if (mode === "compare" && comparedModels().length < 2) {
      return form.elements.model.options.length < 2
        ? "Your team can use only one chat model, so there is nothing to compare it with yet: an administrator can request another on the Models page."
        : "Pick two or three different models to compare.";
    }
    const limit = outputLimit();
    if (limit && maxTokens.value.trim() && Number(maxTokens.value) > limit) {
      const who = mode === "compare" ? "one of the models chosen writes" : "this model writes";
      return `Max tokens: ${who} at most ${limit} tokens per answer; set it to ${limit} or less.`;
    }
    return "";
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (busy) return;
    const text = prompt.value.trim();
    problem.textContent = problemWith(text);
    problem.hidden = !problem.textContent;
    if (!problem.hidden) {
      (text && mode === "chat" ? maxTokens : prompt).focus();
      return;
    }
    prompt.value = "";
    run(() => (mode === "chat" ? sendChat(text) : sendCompare(text)));
  });
  prompt.addEventListener("input", () => {
    if (prompt.value.trim() && problem.textContent === "Write a prompt first.") problem.hidden = true;
  });
  prompt.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  stopButton.addEventListener("click", () => {
    for (const controller of active) controller.abort();
  });

  // --- Modes (tabs) -------------------------------------------------------------------------
  const tabs = [...root.querySelectorAll("[role=tab]")];
  function selectMode(next) {
    mode = next;
    for (const tab of tabs) {
      const selected = tab.dataset.mode === next;
      tab.setAttribute("aria-selected", String(selected));
      tab.tabIndex = selected ? 0 : -1;
    }
    for (const [name, log] of Object.entries(logs)) log.hidden = name !== next;
    for (const node of form.querySelectorAll("[data-for-mode]")) node.hidden = node.dataset.forMode !== next;
    followLimit();
  }
  for (const tab of tabs) {
    tab.addEventListener("click", () => selectMode(tab.dataset.mode));
    tab.addEventListener("keydown", (event) => {
      if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") return;
      const next = tabs[(tabs.indexOf(tab) + (event.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length];
      next.focus();
      selectMode(next.dataset.mode);
    });
  }

  // --- Continuing a conversation --------------------------------------------------------------
  function setField(name, value) {
    if (value === undefined || value === null) return;
    const field = form.elements[name];
    if (!field) return;
    if (field.tagName === "SELECT" && ![...field.options].some((o) => o.value === String(value))) return;
    field.value = Array.isArray(value) ? value.join("\n") : String(value);
  }
  function showTurn(card, turn) {
    card.setText(turn.content);
    card.setCitations(turn.citations);
    if (turn.status === "ok") card.done({ ...turn, turn_id: turn.id });
    else if (turn.status === "stopped") card.stopped();
    else card.fail({ title: "This answer failed", message: turn.error || "The model did not answer." });
  }
  async function load(id) {
    const log = logs.chat;
    const response = await fetch(config.conversationUrl.replace(/[0-9a-f-]{36}/, id), { credentials: "same-origin" });
    if (!response.ok) {
      const failure = await failureOf(response);
      log.append(el("div", { className: "pg-failure", role: "alert" }, el("strong", { text: failure.title }), el("span", { text: failure.message })));
      return;
    }
    const conversation = await response.json();
    clearIntro(log);
    setField("model", conversation.model);
    setField("system", conversation.system_prompt);
    setField("knowledge_base_id", conversation.knowledge_base_id);
    for (const name of ["temperature", "top_p", "max_tokens", "stop"]) setField(name, conversation.parameters[name]);
    followLimit();
    let asked = null;
    for (const turn of conversation.turns) {
      if (turn.role === "user") {
        asked = editable(userTurn(turn.content));
        asked.dataset.question = turn.id;
        log.append(asked);
        continue;
      }
      const question = asked;
      const card = answerCard(modelLabel(turn.model), question ? { onRegenerate: () => resend(question, question.promptText) } : {});
      showTurn(card, turn);
      log.append(card.node);
    }
    window.scrollTo({ top: document.documentElement.scrollHeight });
  }

  // --- Prompt templates ------------------------------------------------------------------------
  const templateDialog = document.getElementById("template-dialog");
  const templateForm = templateDialog.querySelector("[data-template-form]");
  const templateSelect = templateForm.querySelector("[data-template-select]");
  const templateFields = templateForm.querySelector("[data-template-fields]");
  const templateError = templateForm.querySelector("[data-template-error]");
  for (const template of config.templates) {
    templateSelect.append(el("option", { value: template.id, text: `${template.name} (version ${template.version})` }));
  }
  templateForm.querySelector("[data-has-templates]").hidden = !config.templates.length;
  templateForm.querySelector("[data-no-templates]").hidden = Boolean(config.templates.length);
  function chosenTemplate() {
    return config.templates.find((t) => String(t.id) === templateSelect.value);
  }
  function showTemplate() {
    const template = chosenTemplate();
    templateError.hidden = true;
    if (!template) return;
    templateForm.querySelector("[data-template-body]").textContent = template.body;
    templateFields.replaceChildren(...template.variables.map((name) => el("div", { className: "pg-field wide" },
      el("label", { for: `pg-variable-${name}`, text: (name.charAt(0).toUpperCase() + name.slice(1)).replace(/_/g, " ") }),
      el("input", { id: `pg-variable-${name}`, name, "data-variable": name, required: "", autocomplete: "off" }))));
  }
  function openTemplates(id) {
    if (id) templateSelect.value = String(id);
    showTemplate();
    templateDialog.showModal();
    const first = templateFields.querySelector("input") || templateSelect;
    first.focus();
  }
  templateSelect.addEventListener("change", showTemplate);
  root.querySelector("[data-open-templates]").addEventListener("click", () => openTemplates());
  templateForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const template = chosenTemplate();
    const values = Object.fromEntries([...templateFields.querySelectorAll("[data-variable]")].map((i) => [i.name, i.value]));
    const response = await post(config.fillUrl.replace("/0/", `/${template.id}/`), { values });
    if (!response.ok) {
      const failure = await failureOf(response);
      templateError.textContent = failure.message;
      templateError.hidden = false;
      return;
    }
    prompt.value = (await response.json()).prompt;
    templateDialog.close();
    prompt.focus();
  });

  // --- Start -----------------------------------------------------------------------------
  if (window.matchMedia("(max-width: 75rem)").matches) form.querySelector("[data-settings]").open = false;
  followLimit();
  prompt.focus();
  if (conversationId) load(conversationId);
  else if (config.comparison.length) loadComparison(config.comparison, new URLSearchParams(location.search).get("comparison"));
  const asked = new URLSearchParams(location.search).get("template");
  if (asked && config.templates.some((t) => String(t.id) === asked)) openTemplates(asked);
})();
