"""Handwriting (手写输入), offline: Zinnia with Debian's Simplified Chinese model
(`zinnia`), strokes cleaned first (`preprocess`), each written character read into a
column of candidates (`recognise`), the columns decoded against the catalogue's own
words (`vocabulary`, `decoder`). The pad is kiosk/ui/citizen/handwriting_pad.py."""
