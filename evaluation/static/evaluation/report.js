// The evaluation report: grouped bars of each model's scores (percent) and of its median
// latency, from the JSON the page embeds as #evaluation-data; while the job runs, the page
// reloads itself every few seconds.
(function () {
  "use strict";

  const PALETTE = ["#4f46e5", "#0ea5e9", "#10b981", "#f59e0b", "#ef4444"];

  function bars(canvas, labels, datasets, axis, max) {
    return new Chart(canvas, {
      type: "bar",
      data: { labels: labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: { grid: { display: false } },
          y: { beginAtZero: true, max: max, title: { display: true, text: axis } },
        },
        plugins: { legend: { position: "bottom", labels: { boxWidth: 12, usePointStyle: true } } },
      },
    });
  }

  function draw() {
    const source = document.getElementById("evaluation-data");
    const scores = document.getElementById("evaluation-scores");
    const latency = document.getElementById("evaluation-latency");
    if (!source || !scores || !latency || typeof Chart === "undefined") {
      return;
    }
    const data = JSON.parse(source.textContent);
    const metrics = Object.keys(data.scores);
    const perModel = data.models.map(function (model, n) {
      return {
        label: model,
        data: metrics.map(function (metric) { return data.scores[metric][n]; }),
        backgroundColor: PALETTE[n % PALETTE.length],
        borderRadius: 2,
        maxBarThickness: 40,
      };
    });
    window.evaluationCharts = [
      bars(scores, metrics, perModel, "Percent", 100),
      bars(latency, data.models, [{
        label: "Median latency (ms)",
        data: data.latency,
        backgroundColor: data.models.map(function (_, n) { return PALETTE[n % PALETTE.length]; }),
        borderRadius: 2,
        maxBarThickness: 40,
      }], "Milliseconds", undefined),
    ];
  }

  function refreshWhileRunning() {
    const status = document.querySelector("[data-refresh-seconds]");
    if (status) {
      setTimeout(function () { window.location.reload(); }, 1000 * Number(status.dataset.refreshSeconds));
    }
  }

  function start() {
    draw();
    refreshWhileRunning();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
