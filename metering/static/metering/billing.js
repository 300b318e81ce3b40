// Draws the billing page's stacked bar chart (cost per day by group) from the JSON the page
// embeds as #billing-data. One stack per currency, so amounts in different currencies never add up.
(function () {
  "use strict";

  const PALETTE = [
    "#4f46e5", "#0ea5e9", "#10b981", "#f59e0b", "#ef4444",
    "#8b5cf6", "#14b8a6", "#f97316", "#ec4899", "#84cc16",
    "#6366f1", "#06b6d4", "#22c55e", "#eab308", "#a855f7",
  ];
  const OTHERS = "#94a3b8";

  function draw() {
    const source = document.getElementById("billing-data");
    const canvas = document.getElementById("billing-chart");
    if (!source || !canvas || typeof Chart === "undefined") {
      return;
    }
    const data = JSON.parse(source.textContent);
    const several = data.currencies.length > 1;
    const colours = new Map();
    const datasets = data.series.map(function (series) {
      if (!colours.has(series.group)) {
        const n = colours.size;
        colours.set(series.group, n < PALETTE.length ? PALETTE[n] : OTHERS);
      }
      return {
        label: several ? series.group + " (" + series.currency + ")" : series.group,
        data: series.costs.map(Number),
        currency: series.currency,
        stack: series.currency,
        backgroundColor: colours.get(series.group),
        borderRadius: 2,
        maxBarThickness: 48,
      };
    });
    const unit = data.currencies.join(" / ");
    const money = function (value, currency) {
      return value.toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 6 }) +
        (currency ? " " + currency : "");
    };

    window.billingChart = new Chart(canvas, {
      type: "bar",
      data: { labels: data.days, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          x: { stacked: true, grid: { display: false }, ticks: { maxRotation: 0, autoSkip: true } },
          y: {
            stacked: true,
            beginAtZero: true,
            title: { display: true, text: "Cost (" + unit + ")" },
            ticks: { callback: function (value) { return money(value, ""); } },
          },
        },
        plugins: {
          legend: { position: "bottom", labels: { boxWidth: 12, usePointStyle: true } },
          tooltip: {
            filter: function (item) { return item.parsed.y !== 0; },
            callbacks: {
              label: function (item) {
                return item.dataset.label + ": " + money(item.parsed.y, item.dataset.currency);
              },
            },
          },
        },
      },
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
