/**
 * Apache ECharts in React, with only the parts the screens use registered (echarts/core keeps
 * the bundle small). Chart values are display coordinates: the decimal strings are turned into
 * numbers only to place bars and lines, never for arithmetic on money.
 */
import { useComputedColorScheme } from '@mantine/core';
import type { BarSeriesOption, LineSeriesOption } from 'echarts/charts';
import { BarChart, LineChart } from 'echarts/charts';
import type {
  GridComponentOption,
  LegendComponentOption,
  MarkLineComponentOption,
  TooltipComponentOption,
} from 'echarts/components';
import {
  DataZoomComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TooltipComponent,
} from 'echarts/components';
import { type ComposeOption, init, use } from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

use([
  BarChart,
  LineChart,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  MarkLineComponent,
  DataZoomComponent,
  SVGRenderer,
]);

export type ChartOption = ComposeOption<
  | BarSeriesOption
  | LineSeriesOption
  | GridComponentOption
  | TooltipComponentOption
  | LegendComponentOption
  | MarkLineComponentOption
>;

/** A chart that follows the light/dark theme and its container's width. */
export function EChart({
  option,
  height = 320,
  label,
}: {
  option: ChartOption;
  height?: number;
  label: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const scheme = useComputedColorScheme('light', { getInitialValueInEffect: false });
  useEffect(() => {
    if (!ref.current) return;
    const chart = init(ref.current, scheme === 'dark' ? 'dark' : undefined, { renderer: 'svg' });
    chart.setOption({ backgroundColor: 'transparent', animation: false, ...option });
    const observer = new ResizeObserver(() => chart.resize());
    observer.observe(ref.current);
    return () => {
      observer.disconnect();
      chart.dispose();
    };
  }, [option, scheme]);
  return (
    <div ref={ref} style={{ width: '100%', height }} role="img" aria-label={label} data-testid="chart" />
  );
}

/** A decimal string as a chart coordinate (display only). */
export const plot = (v: string | null | undefined): number | null =>
  v === null || v === undefined ? null : Number(v);
