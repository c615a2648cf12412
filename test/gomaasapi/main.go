// A small program on gomaasapi (Juju's MAAS client), as a Juju-like user of MAAS writes one: it
// connects with an API key, lists the zones and the machines with their zones, interfaces and block
// devices, and releases the machines named after the key. It prints what it read as JSON, and
// exits 1 naming the call that failed.
//
// Usage: gomaasapi-probe MAAS_URL API_KEY [SYSTEM_ID...]
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/juju/gomaasapi"
)

type link struct {
	Mode   string `json:"mode"`
	IP     string `json:"ip"`
	Subnet string `json:"subnet"`
}

type iface struct {
	Name  string `json:"name"`
	MAC   string `json:"mac"`
	Type  string `json:"type"`
	VLAN  string `json:"vlan"`
	Links []link `json:"links"`
}

type disk struct {
	Name   string `json:"name"`
	Size   uint64 `json:"size"`
	Model  string `json:"model"`
	IDPath string `json:"id_path"`
	Path   string `json:"path"`
}

type machine struct {
	SystemID      string   `json:"system_id"`
	Hostname      string   `json:"hostname"`
	Status        string   `json:"status"`
	Zone          string   `json:"zone"`
	Pool          string   `json:"pool"`
	CPUs          int      `json:"cpus"`
	Memory        int      `json:"memory"`
	Architecture  string   `json:"architecture"`
	Tags          []string `json:"tags"`
	IPAddresses   []string `json:"ip_addresses"`
	BootInterface string   `json:"boot_interface"`
	Interfaces    []iface  `json:"interfaces"`
	BlockDevices  []disk   `json:"block_devices"`
	PhysicalDisks int      `json:"physical_disks"`
}

type output struct {
	Zones    []string  `json:"zones"`
	Machines []machine `json:"machines"`
	Released []string  `json:"released"`
	After    []machine `json:"after"`
}

func fail(call string, err error) {
	fmt.Fprintf(os.Stderr, "%s: %v\n", call, err)
	os.Exit(1)
}

func describe(m gomaasapi.Machine) machine {
	out := machine{SystemID: m.SystemID(), Hostname: m.Hostname(), Status: m.StatusName(), Zone: m.Zone().Name(), CPUs: m.CPUCount(),
		Memory: m.Memory(), Architecture: m.Architecture(), Tags: m.Tags(), IPAddresses: m.IPAddresses(), PhysicalDisks: len(m.PhysicalBlockDevices()),
		Interfaces: []iface{}, BlockDevices: []disk{}}
	if pool := m.Pool(); pool != nil {
		out.Pool = pool.Name()
	}
	if boot := m.BootInterface(); boot != nil {
		out.BootInterface = boot.Name()
	}
	for _, i := range m.InterfaceSet() {
		one := iface{Name: i.Name(), MAC: i.MACAddress(), Type: i.Type(), Links: []link{}}
		if vlan := i.VLAN(); vlan != nil {
			one.VLAN = vlan.Name()
		}
		for _, l := range i.Links() {
			one.Links = append(one.Links, link{Mode: l.Mode(), IP: l.IPAddress(), Subnet: l.Subnet().CIDR()})
		}
		out.Interfaces = append(out.Interfaces, one)
	}
	for _, d := range m.BlockDevices() {
		out.BlockDevices = append(out.BlockDevices, disk{Name: d.Name(), Size: d.Size(), Model: d.Model(), IDPath: d.IDPath(), Path: d.Path()})
	}
	return out
}

func machines(c gomaasapi.Controller, args gomaasapi.MachinesArgs) []machine {
	list, err := c.Machines(args)
	if err != nil {
		fail("Machines", err)
	}
	out := []machine{}
	for _, m := range list {
		out = append(out, describe(m))
	}
	return out
}

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: gomaasapi-probe MAAS_URL API_KEY [SYSTEM_ID...]")
		os.Exit(2)
	}
	c, err := gomaasapi.NewController(gomaasapi.ControllerArgs{BaseURL: os.Args[1], APIKey: os.Args[2]})
	if err != nil {
		fail("NewController", err)
	}
	out := output{Zones: []string{}, Released: os.Args[3:], After: []machine{}}
	zones, err := c.Zones()
	if err != nil {
		fail("Zones", err)
	}
	for _, z := range zones {
		out.Zones = append(out.Zones, z.Name())
	}
	out.Machines = machines(c, gomaasapi.MachinesArgs{})
	if len(out.Released) > 0 {
		if err := c.ReleaseMachines(gomaasapi.ReleaseMachinesArgs{SystemIDs: out.Released, Comment: "released by gomaasapi"}); err != nil {
			fail("ReleaseMachines", err)
		}
		out.After = machines(c, gomaasapi.MachinesArgs{SystemIDs: out.Released})
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fail("output", err)
	}
}
