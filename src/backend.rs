//! Choosing where training runs: wgpu on a GPU adapter, wgpu on a software adapter, or burn's
//! pure-Rust CPU backend (flex).
//!
//! burn's default device never falls back and a missing adapter only panics at the first
//! tensor op, deep inside a worker. So adapters are probed here, once, before any run starts,
//! and a request that cannot be met is an error with a reason.

use burn::tensor::wgpu::wgpu;
use burn::tensor::{Device, DeviceKind};
use serde::{Deserialize, Serialize};

use crate::config::Backend;

/// What a run actually trains on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BackendKind {
    Wgpu,
    Cpu,
}

impl BackendKind {
    pub fn as_str(self) -> &'static str {
        match self {
            BackendKind::Wgpu => "wgpu",
            BackendKind::Cpu => "cpu",
        }
    }
}

impl std::fmt::Display for BackendKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The device chosen for a sweep, and the words that describe it.
#[derive(Debug, Clone)]
pub struct DeviceChoice {
    pub kind: BackendKind,
    /// The adapter's name as the driver reports it, or `flex (CPU)`.
    pub adapter: String,
    /// Whether the wgpu adapter is a software rasterizer (lavapipe/llvmpipe).
    pub software: bool,
    wgpu_kind: Option<DeviceKind>,
}

impl DeviceChoice {
    /// A fresh autodiff device for one run. Devices are cheap handles; each worker makes its own.
    pub fn device(&self) -> Device {
        match &self.wgpu_kind {
            Some(kind) => Device::wgpu(kind.clone()).autodiff(),
            None => Device::flex().autodiff(),
        }
    }

    pub fn describe(&self) -> String {
        match self.kind {
            BackendKind::Cpu => "cpu (burn flex)".to_string(),
            BackendKind::Wgpu if self.software => {
                format!("wgpu on '{}' (software adapter)", self.adapter)
            }
            BackendKind::Wgpu => format!("wgpu on '{}'", self.adapter),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    #[error(
        "backend 'wgpu' was requested but no wgpu adapter was found (install a GPU driver, or Debian's 'mesa-vulkan-drivers' for the software Vulkan driver, or use '--backend cpu')"
    )]
    NoAdapter,
}

/// One adapter as wgpu lists it.
#[derive(Debug, Clone)]
pub struct AdapterInfo {
    pub name: String,
    pub software: bool,
    pub api: String,
}

/// Lists the machine's wgpu adapters on the primary graphics APIs (Vulkan, Metal, DX12),
/// the ones CubeCL settles on. Creates and drops one instance.
pub fn probe_adapters() -> Vec<AdapterInfo> {
    let instance = wgpu::Instance::new(wgpu::InstanceDescriptor {
        backends: wgpu::Backends::PRIMARY,
        ..wgpu::InstanceDescriptor::new_without_display_handle()
    });
    futures_lite::future::block_on(instance.enumerate_adapters(wgpu::Backends::PRIMARY))
        .iter()
        .map(|a| {
            let info = a.get_info();
            AdapterInfo {
                name: info.name.clone(),
                software: info.device_type == wgpu::DeviceType::Cpu,
                api: format!("{:?}", info.backend),
            }
        })
        .collect()
}

/// Picks the device for `requested`, given the adapters found.
pub fn choose(requested: Backend, adapters: &[AdapterInfo]) -> Result<DeviceChoice, BackendError> {
    let hardware = adapters.iter().find(|a| !a.software);
    let software = adapters.iter().find(|a| a.software);
    let cpu = DeviceChoice {
        kind: BackendKind::Cpu,
        adapter: "flex (CPU)".to_string(),
        software: false,
        wgpu_kind: None,
    };
    let wgpu_on = |a: &AdapterInfo| DeviceChoice {
        kind: BackendKind::Wgpu,
        adapter: a.name.clone(),
        software: a.software,
        // A software adapter is skipped by CubeCL's default selection: name it explicitly.
        wgpu_kind: Some(if a.software {
            DeviceKind::Cpu
        } else {
            DeviceKind::DefaultDevice
        }),
    };
    match requested {
        Backend::Cpu => Ok(cpu),
        Backend::Auto => Ok(hardware.map(wgpu_on).unwrap_or(cpu)),
        Backend::Wgpu => hardware
            .or(software)
            .map(wgpu_on)
            .ok_or(BackendError::NoAdapter),
    }
}

/// Probes (only when wgpu could be chosen) and picks the device.
/// The backend a prepared sweep's tasks will train on, recorded without probing this
/// machine (a cluster's login node need not have the compute nodes' GPUs). Nothing trains
/// on it: each task picks its device itself, with this backend forced.
pub fn planned(kind: BackendKind) -> DeviceChoice {
    DeviceChoice {
        kind,
        adapter: match kind {
            BackendKind::Cpu => "flex (CPU)".to_string(),
            BackendKind::Wgpu => "chosen by each task".to_string(),
        },
        software: false,
        wgpu_kind: None,
    }
}

pub fn select(requested: Backend) -> Result<DeviceChoice, BackendError> {
    let adapters = if requested == Backend::Cpu {
        Vec::new()
    } else {
        probe_adapters()
    };
    choose(requested, &adapters)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn adapter(name: &str, software: bool) -> AdapterInfo {
        AdapterInfo {
            name: name.into(),
            software,
            api: "Vulkan".into(),
        }
    }

    #[test]
    fn auto_prefers_a_gpu_and_never_takes_a_software_adapter() {
        let soft = [adapter("llvmpipe", true)];
        assert_eq!(choose(Backend::Auto, &soft).unwrap().kind, BackendKind::Cpu);
        let both = [adapter("llvmpipe", true), adapter("H100", false)];
        let c = choose(Backend::Auto, &both).unwrap();
        assert_eq!((c.kind, c.adapter.as_str()), (BackendKind::Wgpu, "H100"));
    }

    #[test]
    fn wgpu_accepts_software_but_not_nothing() {
        let c = choose(Backend::Wgpu, &[adapter("llvmpipe", true)]).unwrap();
        assert!(c.software && c.kind == BackendKind::Wgpu);
        assert!(matches!(
            choose(Backend::Wgpu, &[]),
            Err(BackendError::NoAdapter)
        ));
        assert_eq!(
            choose(Backend::Cpu, &[adapter("H100", false)])
                .unwrap()
                .kind,
            BackendKind::Cpu
        );
    }
}
