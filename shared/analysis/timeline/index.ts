export { buildTimeline, isMarked, timelineSeries, type PointKind, type SessionTimeline, type ThresholdOptions, type TimelinePoint, type TimelineSeries } from './classify';
export { downsampleKeeping, lttbIndices, type XY } from './downsample';
export { deliverySeries, drawableLatency, histogram, interTokenSeries, type HistogramBin, type LatencyPoint } from './latency';
export { correctTextSegments, limitSegments, naiveTextSegments, type SegmentKind, type TextSegment } from './text-segments';
export { frameRows, nearestPoint, timelineView, type FrameRow, type MarkerKind, type TimelineReference, type TimelineView } from './view';
