public enum AMISimulatorPlaceholder {}
