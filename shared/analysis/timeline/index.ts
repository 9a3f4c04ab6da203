export {
  buildTimeline,
  isMarked,
  type PriorAnalysis,
  kindAt,
  pointAt,
  timelinePoints,
  timelineSeries,
  type PointKind,
  type SessionTimeline,
  type ThresholdOptions,
  type TimelinePoint,
  type TimelineSeries,
} from './classify';
export { downsampleKeepingIndices, lttbIndices, minMaxIndices, type Series } from './downsample';
export { deliverySeries, drawableLatency, histogram, interTokenSeries, type HistogramBin, type LatencyPoint } from './latency';
export { correctTextSegments, naiveTextSegments, type SegmentedText, type SegmentKind, type TextSegment } from './text-segments';
export { frameRows, nearestPoint, timelineText, timelineView, VIEW_TEXT_CHARS, type FrameRow, type MarkerKind, type TimelineReference, type TimelineView } from './view';
