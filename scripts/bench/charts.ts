// Charts rendered to SVG with vega-lite (compiled) + vega (headless renderer), no browser or canvas needed.
type Spec = Record<string, unknown>;

export async function renderSvg(spec: Spec): Promise<string> {
  const vega = await import("vega");
  // vega-lite's types need "bundler" module resolution; the compile function is all that is used.
  const vl = (await import("vega-lite" as string)) as { compile(spec: unknown): { spec: unknown } };
  const compiled = vl.compile({ $schema: "https://vega.github.io/schema/vega-lite/v6.json", ...spec }).spec;
  const view = new vega.View(vega.parse(compiled as Parameters<typeof vega.parse>[0]), { renderer: "none" });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

export function groupedBars(title: string, rows: Array<{ group: string; series: string; value: number }>, yTitle: string, log = false): Spec {
  return {
    title,
    width: 260,
    height: 220,
    data: { values: rows },
    mark: { type: "bar", tooltip: true },
    encoding: {
      x: { field: "series", type: "nominal", title: null, axis: { labelAngle: 0 } },
      y: { field: "value", type: "quantitative", title: yTitle, ...(log ? { scale: { type: "log" } } : {}) },
      color: { field: "series", type: "nominal", legend: null },
      column: { field: "group", type: "nominal", title: null },
    },
  };
}

export function growthLines(rows: Array<{ environments: number; metric: string; value: number }>): Spec {
  return {
    title: "Synthesis cost by number of environments (4 stacks each)",
    width: 420,
    height: 240,
    data: { values: rows },
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "environments", type: "quantitative", title: "environments", scale: { type: "log", base: 2 }, axis: { values: [1, 2, 4, 8] } },
      y: { field: "value", type: "quantitative", title: null },
      color: { field: "metric", type: "nominal", title: null },
    },
  };
}
