"""Real-data formats: ``sportshhi`` (SportsHHI annotations, predictions and pair-IoU mAP)."""
